// @duet/core/testing: conformance suites and given/when/then kits for users' tests.

// -- decider test kit --

// -- event store conformance --
