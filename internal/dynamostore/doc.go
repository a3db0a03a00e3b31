// Package dynamostore is the casehold.Store on Amazon DynamoDB: one table, every request
// path a GetItem, a Query on a key or an index, or a conditional write. Nothing scans.
//
// # Table
//
// Keys PK (partition) and SK (sort), both strings; global secondary index GSI1 on
// GSI1PK/GSI1SK projecting all attributes, and GSI2 on GSI2PK/GSI2SK projecting keys only
// (pending audit events); on-demand billing; TTL on expires_at (epoch seconds).
// CreateTable builds it.
//
// # Items
//
//	item           PK                      SK                                GSI1PK             GSI1SK
//	matter         MATTER#<id>             META                              MATTERS#<status>   <created>#<id>
//	reference      REF#<kind>#<reference>  REF
//	matter reader  READER#<reader key>     <status>#<created>#<id>           (casehold.MatterReaderKeys; see readers.go)
//	document       DOC#<id>                META                              DISPOSAL           <due day>#<id>  (only while due for review: classified, not permanent, unheld, not disposed)
//	filing         MATTER#<matterID>       DOC#<uploaded>#<docID>
//	audit event    AUDITEV#<eventID>       EV                                GSI2PK: AUDITPENDING#<shard>, GSI2SK: <time>#<id> (while pending)
//	audit leaf     AUDITLOG#<seq/4096>     <seq, 20 digits>
//	audit index    AUDITBY#M#<matterID>    <seq, 20 digits>                  (also AUDITBY#D#<docID>, AUDITBY#P#<pid>)
//	audit hashes   AUDITHASH#<index/64>    H
//	audit tree     AUDITTREE               TREE
//	legacy chain   AUDIT                   SEQ#<seq, 20 digits>              (read once by the migration)
//	claim          CLAIM#<key>             CLAIM
//	inbound        INBOUND#<id>            META                              INBOUND#<status>   <received>#<id>
//	queued mail    MAIL#<occasion key>     META
//	mail due       MAILDUE                 <next attempt>#<occasion key>     (pending messages only)
//	due entry      DUE#<subject key>       DUE
//	due row        DUEAT                   <due>#<subject key>
//	export job     EXPORT#<id>             META                              EXPORTS#unfinished <created>#<id>  (only while queued or building)
//
// <created>, <uploaded> and <received> are UTC times with exactly nine fractional digits,
// so string order is time order (RFC 3339 with trimmed zeros is not). Kinds contain no '#'
// and the free-text part of every key comes last, so keys cannot collide. Seq is
// zero-padded to 20 digits, the width of the largest uint64, for the same reason.
//
// # Audit log
//
// Recording an audit event is one PutItem on AUDITEV#<id> with attribute_not_exists(PK):
// keyed by the event id, so two requests never write the same item, and the same event
// delivered twice is one item (the second put fails its condition, which is success).
// Nothing else is read or written: no head, no counter, no hot key. While pending the
// item carries GSI2 keys in one of 16 shards (FNV of the id), so the index's writes
// spread too; the sequencer reads the 16 shards (oldest first), re-reads the candidates
// consistently (the index lags) and drops any already integrated.
//
// The sequencer (one at a time: the lease is in the tree item, a conditional update with
// an expiry in nanoseconds) writes down each batch first (the tree item's batch, the ids
// in leaf order, conditional on the tree size and the lease), then writes, with
// BatchWriteItem, the leaves (AUDITLOG#: each event as JSON with its seq, 4096 a
// partition), the index items (AUDITBY#: a copy of the event per matter, document and
// person it touched, sorted by seq) and the event items again without GSI2 keys, and the
// tree's stored hashes (tlog.StoredHashIndex order, 64 to an item of 2 KB, written only if
// the item grows, so a late writer never cuts hashes off); then it commits: tree size and
// root, batch removed, conditional on the batch being the one begun. Every value between
// begin and commit is computed from the batch alone, so a sequencer that stops half-way
// leaves work the next one redoes identically. Checkpoints are objects in the evidence
// bucket (audit/checkpoints/<number>); the tree item records the newest.
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
//	UpdateDisposal        DOC#<id>, META                                GetItem + PutItem, version = :expected (the item's GSI1 keys follow from its state)
//	ListDisposalDue       GSI1: GSI1PK = DISPOSAL, GSI1SK <= <day>#U+FFFF  Query on GSI1, ascending, Limit: reads the due documents only; one partition (a council has thousands due, not millions)
//	RecordAudit           AUDITEV#<id>, EV                              PutItem, attribute_not_exists(PK) (failure = recorded before = success)
//	GetAuditEvent(s)      AUDITEV#<id>, EV                              GetItem / BatchGetItem (consistent)
//	ListAudit             AUDITTREE (size), then PK = AUDITLOG#<n>, SK BETWEEN  GetItem + Query per 4096 leaves (consistent, ascending, paged)
//	ListAuditBy           PK = AUDITBY#M|D|P#<id>, SK > <after>         Query (consistent, ascending, Limit, paged)
//	PendingAudit          GSI2: GSI2PK = AUDITPENDING#<00..15>          16 Queries on GSI2 (keys only, Limit) + BatchGetItem (consistent) to drop integrated ones
//	AuditTree             AUDITTREE, TREE                               GetItem (consistent)
//	AcquireAuditLease     AUDITTREE, TREE                               UpdateItem, no owner OR owner = me OR expired
//	BeginAuditBatch       AUDITTREE, TREE                               UpdateItem, owner = me AND size = :size AND no batch
//	WriteAuditLeaves      leaves, index items, event items              BatchWriteItem (25 a call, 8 calls at once), puts of computed values
//	WriteAuditHashes      AUDITHASH#<n>, H                              GetItem + PutItem, attribute_not_exists(PK) OR n <= :n
//	ReadAuditHashes       AUDITHASH#<n>, H                              BatchGetItem (consistent)
//	CommitAuditBatch      AUDITTREE, TREE                               UpdateItem, owner = me AND size = :size AND size(batch) = :k
//	SetAuditCheckpoint    AUDITTREE, TREE                               UpdateItem, no checkpoint OR number < :n
//	LegacyAudit           PK = AUDIT, SK BETWEEN SEQ#<after+1> AND SEQ#<max>  Query (consistent; the migration only)
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
//	EnqueueMail           MAIL#<key> + MAILDUE row                      TransactWriteItems with a request token; record attribute_not_exists(PK) (failed = claimed before)
//	GetMail               MAIL#<key>, META                              GetItem (consistent)
//	UpdateMail            record + MAILDUE rows that change             GetItem, then TransactWriteItems: version = :expected, old row deleted, new row put
//	DueMail               PK = MAILDUE, SK <= <now>#U+FFFF              Query (consistent, Limit) + BatchGetItem; reads pending messages only
//	SetDue / MoveDue      DUE#<key> + DUEAT rows                        TransactWriteItems: entry due = :from (or attribute_not_exists), old row deleted, new row put
//	GetDue                DUE#<key>, DUE                                GetItem (consistent)
//	DueBy                 PK = DUEAT, SK <= <t>#U+FFFF                  Query (consistent, Limit): the sweep reads only what is due
//	CreateExportJob       EXPORT#<id>, META                             PutItem, attribute_not_exists(PK); the stored job comes back with a failed condition (same request = success)
//	GetExportJob          EXPORT#<id>, META                             GetItem (consistent)
//	ClaimExportJob        EXPORT#<id>, META                             GetItem, the domain decides (queued, or lease expired), PutItem version = :expected
//	UpdateExportJob       EXPORT#<id>, META                             PutItem, version = :expected (GSI1 keys only while unfinished)
//	UnfinishedExportJobs  GSI1: GSI1PK = EXPORTS#unfinished             Query on GSI1, ascending, Limit; one small partition (a server start picks up what a crash left)
//	(stream)              INSERT of EXPORT#<id>                         the table's stream (NEW_IMAGE), filtered on eventName INSERT and PK prefix EXPORT#, invokes the export function
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
// document filed under more than 99 matters. An audit event names at most 50 person ids
// (casehold.MaxAuditPIDs); its items are about 1 KB. A batch's ids live in the tree item:
// the sequencer keeps them under 200 KB. Leaves are written by one sequencer at a time,
// 4096 to a partition, far below a partition's write limit.
package dynamostore
