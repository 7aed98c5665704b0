package storetest

// tests is the conformance suite, in the order of the contract.
var tests = []testCase{
	// Opening.
	{"OpenMissing", testOpenMissing},
	{"OpenMissingReadOnly", testOpenMissingReadOnly},
	{"CreateKeepsExisting", testCreateKeepsExisting},
	{"CreateReadOnly", testCreateReadOnly},
	{"Persistence", testPersistence},
	{"ReadOnlyOpensShare", testReadOnlyOpensShare},

	// Store: View, Update, Close.
	{"ReadOnlyUpdate", testReadOnlyUpdate},
	{"ContextDone", testContextDone},
	{"Closed", testClosed},
	{"TxDone", testTxDone},
	{"ViewReturnsFnError", testViewReturnsFnError},
	{"UpdateReturnsFnError", testUpdateReturnsFnError},
	{"UpdateRollback", testUpdateRollback},
	{"ReadYourWrites", testReadYourWrites},
	{"ConcurrentViews", testConcurrentViews},
	{"ConcurrentUpdates", testConcurrentUpdates},

	// Staged writes: store.UpdateStaged.
	{"StagedSeesEarlierStages", testStagedSeesEarlierStages},
	{"StagedErrorLeavesDatabase", testStagedErrorLeavesDatabase},
	{"StagedAuditSequence", testStagedAuditSequence},
	{"StagedReadOnly", testStagedReadOnly},
	{"StagedAfterReturn", testStagedAfterReturn},
	{"StagedContext", testStagedContext},

	// Records.
	{"EmptyStore", testEmptyStore},
	{"RoundTrip", testRoundTrip},
	{"ZeroValues", testZeroValues},
	{"PutReplaces", testPutReplaces},
	{"Delete", testDelete},
	{"DeleteMissing", testDeleteMissing},
	{"ExactKeys", testExactKeys},
	{"InvalidKeys", testInvalidKeys},
	{"ReturnedRecordsAreCopies", testReturnedRecordsAreCopies},
	{"PutCopies", testPutCopies},

	// Iteration.
	{"IterationOrder", testIterationOrder},
	{"UsersPrefix", testUsersPrefix},
	{"PermissionsPrefix", testPermissionsPrefix},
	{"IterationStops", testIterationStops},
	{"NestedReads", testNestedReads},
	{"WriteDuringIteration", testWriteDuringIteration},
	{"LargeIteration", testLargeIteration},

	// Audit log.
	{"AuditEmpty", testAuditEmpty},
	{"AuditSequence", testAuditSequence},
	{"AuditAfter", testAuditAfter},
	{"AuditNeverReused", testAuditNeverReused},
	{"AuditSeq", testAuditSeq},
	{"AuditRollback", testAuditRollback},
	{"AuditPrune", testAuditPrune},
	{"AuditPruneRollback", testAuditPruneRollback},

	// Membership indexes.
	{"IndexQueries", testIndexQueries},
	{"IndexChanges", testIndexChanges},
	{"IndexRollback", testIndexRollback},
	{"IndexIterationStops", testIndexIterationStops},

	// Meta.
	{"Meta", testMeta},
	{"MetaKeysAreTheCallers", testMetaKeysAreTheCallers},
}
