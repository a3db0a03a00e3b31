// Package dynamostore is the casehold.Store on Amazon DynamoDB: one table, every request
// path a GetItem, a Query on a key or an index, or a conditional write. Nothing scans.
//
// # Table
//
// Keys PK (partition) and SK (sort), both strings; one global secondary index GSI1 on
// GSI1PK/GSI1SK projecting all attributes; on-demand billing; TTL on expires_at (epoch
// seconds). CreateTable builds it.
//
// # Items
//
//	item           PK                      SK                                GSI1PK             GSI1SK
//	matter         MATTER#<id>             META                              MATTERS#<status>   <created>#<id>
//	reference      REF#<kind>#<reference>  REF
//	document       DOC#<id>                META
//	filing         MATTER#<matterID>       DOC#<uploaded>#<docID>
//	audit event    AUDIT                   SEQ#<seq, 20 digits>
//	audit head     AUDIT                   HEAD
//	audit id       AUDITID#<eventID>       AUDITID
//	claim          CLAIM#<key>             CLAIM
//	inbound        INBOUND#<id>            META                              INBOUND#<status>   <received>#<id>
//
// <created>, <uploaded> and <received> are UTC times with exactly nine fractional digits,
// so string order is time order (RFC 3339 with trimmed zeros is not). Kinds contain no '#'
// and the free-text part of every key comes last, so keys cannot collide. Seq is
// zero-padded to 20 digits, the width of the largest uint64, for the same reason; "HEAD"
// sorts before "SEQ#", outside the range that ListAudit reads.
//
// Dates are stored as "YYYY-MM-DD" strings and times as RFC 3339 UTC with nanoseconds.
// HeldBy and MatterIDs are lists, not string sets: DynamoDB refuses empty sets, and a
// document no longer held has an empty HeldBy.
//
// # Access patterns
//
//	pattern               key / index                                   operation
//	CreateMatter          matter + reference                            TransactWriteItems, both attribute_not_exists(PK)
//	GetMatter             MATTER#<id>, META                             GetItem (consistent)
//	UpdateMatter          MATTER#<id>, META                             UpdateItem, version = :expected
//	ListMatters           GSI1: GSI1PK = MATTERS#<status>               Query on GSI1, ascending, paged
//	CreateDocument        document + one filing per matter              TransactWriteItems, document attribute_not_exists(PK)
//	GetDocument           DOC#<id>, META                                GetItem (consistent)
//	ListMatterDocuments   PK = MATTER#<id>, SK begins_with DOC#         Query (consistent, paged) + BatchGetItem of documents, 100 a call, 4 calls at once
//	AddHold               document (+ filing for a new matter)          PutItem, or TransactWriteItems with the filing; version = :expected
//	RemoveHold            document                                      PutItem, version = :expected
//	AuditHead             AUDIT, HEAD                                   GetItem (consistent)
//	AppendAudit           head + event + audit id                       TransactWriteItems: head seq = e.Seq-1 (absent for seq 1), event and id attribute_not_exists(PK)
//	HasAuditEvent         AUDITID#<id>, AUDITID                         GetItem (consistent)
//	ListAudit             PK = AUDIT, SK BETWEEN SEQ#<after+1> AND SEQ#<max>  Query (consistent, ascending, Limit, paged)
//	Claim                 CLAIM#<key>, CLAIM                            PutItem, attribute_not_exists(PK) OR expires_ns <= :now
//	CreateInbound         INBOUND#<id>, META                            PutItem, attribute_not_exists(PK)
//	GetInbound            INBOUND#<id>, META                            GetItem (consistent)
//	UpdateInbound         INBOUND#<id>, META                            UpdateItem, version = :expected
//	ListInbound           GSI1: GSI1PK = INBOUND#<status>               Query on GSI1, ascending, paged
//	Reserve               RESERVE#<key>, CLAIM                          PutItem, attribute_not_exists(PK) OR expires_ns <= :now; the stored value comes back with the failed condition
//	CreateLock            lock + index items (+ LOCKPID#<pid>, CURRENT)  TransactWriteItems with a request token; lock and CURRENT attribute_not_exists(PK)
//	GetLock               LOCK#<id>, META                               GetItem (consistent)
//	UpdateLock            lock + index items that change                TransactWriteItems: lock version = :expected, CURRENT deleted when the lock ends (DeleteItem: when wired into the API, grant it on LOCK* leading keys only)
//	LocksForPID           PK = LOCKPID#<pid>, SK begins_with LOCK#      Query (consistent) + BatchGetItem
//	LocksByOwner          PK = LOCKOWNER#<owner>                        Query (consistent) + BatchGetItem
//	ReplaceStaff          PK = STAFFIDX (ids; the import alone reads it) + STAFF#<id>, META   Query, then BatchWriteItem 25 a call (puts, and deletes of leavers)
//	GetStaff              STAFF#<id>, META                              GetItem (consistent): per request, spread over partitions
//	LocksDueBy            PK = LOCKREVIEW, SK <= <day>#U+FFFF           Query (consistent) + BatchGetItem; one partition, as a council has hundreds of locked cases
//
// # Consistency
//
// Every GetItem and base-table Query reads consistently. GSI1 is eventually consistent,
// so ListMatters and ListInbound can lag a create or a status change briefly; the
// storetest contract promises no more than that, and callers that need the latest state
// of one matter or message read it with GetMatter or GetInbound.
//
// Every write is conditional. Kind and Reference are never rewritten after CreateMatter,
// so the reference item can never go stale. AddHold and RemoveHold read the document,
// change it with the domain's rules, and write it back conditional on the version they
// read, retrying a bounded number of times when another writer got there first; so a
// concurrent change is never lost and exactly one RemoveHold sees HeldBy become empty.
// Writes that lose to a transaction in progress (TransactionConflict) are retried
// briefly before they report ECONFLICT.
//
// The SDK retries a request whose response was lost, and a conditional write that had
// in fact succeeded then fails its own condition. Transactions are safe (the SDK sends
// one idempotency token for all attempts); AddHold and RemoveHold re-read and find their
// change made; UpdateMatter, CreateInbound, UpdateInbound and Claim store a random
// write_token and, when the condition fails, ask for the stored item
// (ReturnValuesOnConditionCheckFailure) to see whether the token there is their own.
//
// # Limits
//
// An item is at most 400 KB; a matter with many people and a document held by many
// matters stay far below it. An inbound message keeps its attachments' records in its
// item, under short attribute names: 200 attachments with 250-character file names take
// under 100 KB. A transaction holds at most 100 items, so CreateDocument refuses a
// document filed under more than 99 matters. All audit events share the
// partition AUDIT: appends are serialised by the head item anyway, and the trail's write
// rate is far below one partition's limit.
package dynamostore
