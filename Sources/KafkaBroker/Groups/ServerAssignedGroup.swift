import Foundation
import KafkaProtocol

/// A group of the consumer protocol of KIP-848 (`group.protocol=consumer`), as a plain value:
/// members only heartbeat (ConsumerGroupHeartbeat), and the broker assigns the partitions.
///
/// Epochs order what happens. The group epoch moves when a member joins or leaves or a
/// subscription changes; the broker then computes a target assignment (`uniform` or `range`)
/// for that epoch. Each member reconciles towards its target one heartbeat at a time: first
/// it is told to give up what it holds and is not to keep (revocation), and only once no one
/// else holds a partition is it given it; when it holds exactly its target, its member epoch
/// becomes the target's epoch. So a partition is never held by two members at once.
struct ServerAssignedGroup: Sendable {
    typealias Partitions = [String: Set<Int32>]

    struct Member: Sendable {
        var memberId: String
        var memberEpoch: Int32
        var clientId: String
        var clientHost: String
        var instanceId: String?
        var rackId: String?
        /// The topics it named.
        var namedTopics: [String]
        /// KIP-848's `SubscribedTopicRegex`, matched against whole topic names.
        var subscribedPattern: String? = nil
        /// What the pattern matched among `patternsMatchedAmong` (nil: to be matched).
        var matchedTopics: [String]? = nil
        /// What it subscribes to: the named topics and the matched ones.
        var subscribedTopics: [String] = []
        var rebalanceTimeoutMs: Int32
        /// What it was last told it holds.
        var assigned: Partitions = [:]
        /// What it said it holds in its latest heartbeat (partitions it has not yet given up).
        var owned: Partitions = [:]
        /// What it was told to give up and has not yet said it gave up, and since when: past
        /// its rebalance timeout it is removed, so its partitions can move on.
        var revoking: Partitions = [:]
        var revokingSince: ContinuousClock.Instant? = nil
        var lastHeard: ContinuousClock.Instant
    }

    /// What a heartbeat is answered with.
    struct Answer: Sendable {
        var errorCode: Int16 = 0
        var errorMessage: String?
        var memberId: String?
        var memberEpoch: Int32 = 0
        /// nil: the member keeps what it has.
        var assignment: Partitions?
    }

    /// One heartbeat as the group reads it (topic ids already resolved to names).
    struct Heartbeat: Sendable {
        var memberId: String
        var memberEpoch: Int32
        var clientId: String
        var clientHost: String
        var instanceId: String?
        var rackId: String?
        var rebalanceTimeoutMs: Int32
        /// nil: unchanged since the last heartbeat.
        var subscribedTopics: [String]?
        /// nil: unchanged since the last heartbeat; "": none.
        var subscribedPattern: String? = nil
        var serverAssignor: String?
        /// nil: unchanged since the last heartbeat.
        var owned: Partitions?
    }

    static let assignors = ["uniform", "range"]

    let groupId: String
    private(set) var groupEpoch: Int32 = 0
    private(set) var assignmentEpoch: Int32 = 0
    private(set) var assignorName = "uniform"
    private(set) var members: [String: Member] = [:]
    private(set) var targetAssignment: [String: Partitions] = [:]
    /// The topic names the members' patterns were last matched against.
    private var patternsMatchedAmong: [String] = []
    /// The partition counts the target was computed from: a topic that grows moves the epoch.
    private var partitionCounts: [String: Int32] = [:]

    init(groupId: String) {
        self.groupId = groupId
    }

    var isEmpty: Bool { members.isEmpty }

    /// Moves the group epoch (from Int32.max to 1: -1, -2 and 0 mean leaving and joining).
    private mutating func bumpEpoch() { groupEpoch = groupEpoch == Int32.max ? 1 : groupEpoch + 1 }

    /// Kafka's names: Empty, Assigning (a new target), Reconciling (members on their way to it), Stable.
    var state: String {
        if members.isEmpty { return "Empty" }
        if assignmentEpoch < groupEpoch { return "Assigning" }
        return members.values.allSatisfy { $0.memberEpoch == assignmentEpoch } ? "Stable" : "Reconciling"
    }

    // MARK: Heartbeats

    /// Takes one heartbeat. `partitionCount` gives a topic's partition count (nil: no such topic).
    mutating func heartbeat(
        _ beat: Heartbeat, now: ContinuousClock.Instant, partitionCount: (String) -> Int32?,
        topicNames: () -> [String] = { [] }
    ) -> Answer {
        if let assignor = beat.serverAssignor, !Self.assignors.contains(assignor) {
            return Answer(
                errorCode: ErrorCode.unsupportedAssignor.code,
                errorMessage: "unknown server assignor '\(assignor)' (uniform or range)")
        }
        if let pattern = beat.subscribedPattern, !pattern.isEmpty, let problem = Self.problem(with: pattern) {
            return Answer(errorCode: ErrorCode.invalidRequest.code, errorMessage: problem)
        }
        var memberId = beat.memberId
        switch beat.memberEpoch {
        case -1, -2: // leaving (-2: a static member, which leaves the same way here)
            if members.removeValue(forKey: memberId) != nil { bumpEpoch() }
            return Answer(memberId: memberId, memberEpoch: beat.memberEpoch)
        case 0:
            if memberId.isEmpty { memberId = UUID().uuidString }
            if members[memberId] == nil {
                let pattern = beat.subscribedPattern.flatMap { $0.isEmpty ? nil : $0 }
                guard beat.rebalanceTimeoutMs > 0 else {
                    return Answer(
                        errorCode: ErrorCode.invalidRequest.code,
                        errorMessage: "a joining member gives its rebalance timeout (\(beat.rebalanceTimeoutMs) ms)")
                }
                guard beat.subscribedTopics != nil || pattern != nil else {
                    return Answer(
                        errorCode: ErrorCode.invalidRequest.code,
                        errorMessage: "a joining member names the topics it subscribes to, or a pattern")
                }
                members[memberId] = Member(
                    memberId: memberId, memberEpoch: 0, clientId: beat.clientId, clientHost: beat.clientHost,
                    instanceId: beat.instanceId, rackId: beat.rackId,
                    namedTopics: (beat.subscribedTopics ?? []).sorted(), subscribedPattern: pattern,
                    rebalanceTimeoutMs: beat.rebalanceTimeoutMs, lastHeard: now)
                bumpEpoch()
            } else if members[memberId]!.memberEpoch != 0 {
                // A member that lost its place rejoins from nothing (what it held is no longer its).
                members[memberId]!.memberEpoch = 0
                members[memberId]!.assigned = [:]
                members[memberId]!.owned = [:]
                members[memberId]!.revoking = [:]
            }
        default:
            guard let member = members[memberId] else {
                return Answer(
                    errorCode: ErrorCode.unknownMemberId.code,
                    errorMessage: "member \(memberId) is not in group \(groupId)")
            }
            // The member may not have seen its latest epoch yet: one behind is still its own.
            guard beat.memberEpoch == member.memberEpoch || beat.memberEpoch == member.memberEpoch &- 1 else {
                return Answer(
                    errorCode: ErrorCode.fencedMemberEpoch.code,
                    errorMessage: "member epoch \(beat.memberEpoch), the group has \(member.memberEpoch)")
            }
        }
        members[memberId]!.lastHeard = now
        if let assignor = beat.serverAssignor, assignor != assignorName, members.count == 1 {
            assignorName = assignor
        }
        if let named = beat.subscribedTopics?.sorted(), named != members[memberId]!.namedTopics {
            members[memberId]!.namedTopics = named
        }
        if let pattern = beat.subscribedPattern {
            let chosen = pattern.isEmpty ? nil : pattern
            if chosen != members[memberId]!.subscribedPattern {
                members[memberId]!.subscribedPattern = chosen
                members[memberId]!.matchedTopics = nil
            }
        }
        if let owned = beat.owned {
            // What it still owns of what it was told to give up; nil (unchanged) leaves that as it was.
            members[memberId]!.owned = owned
            members[memberId]!.revoking = Self.intersection(members[memberId]!.revoking, owned)
        }
        // Each member's topics: those it named and those its pattern matches among the topics
        // there are now (matched again only when the topics or the pattern changed).
        let names = members.values.contains { $0.subscribedPattern != nil } ? topicNames() : []
        if names != patternsMatchedAmong {
            patternsMatchedAmong = names
            for id in members.keys { members[id]!.matchedTopics = nil }
        }
        for id in members.keys {
            if let pattern = members[id]!.subscribedPattern, members[id]!.matchedTopics == nil {
                members[id]!.matchedTopics = Self.matches(of: pattern, among: names)
            }
            let topics = Set(members[id]!.namedTopics).union(members[id]!.matchedTopics ?? []).sorted()
            if topics != members[id]!.subscribedTopics {
                members[id]!.subscribedTopics = topics
                bumpEpoch()
            }
        }
        // A subscribed topic created or grown since the target was computed moves the epoch too.
        let subscribed = Set(members.values.flatMap(\.subscribedTopics))
        let counts = Dictionary(
            uniqueKeysWithValues: subscribed.compactMap { topic in partitionCount(topic).map { (topic, $0) } })
        if counts != partitionCounts {
            partitionCounts = counts
            bumpEpoch()
        }
        if assignmentEpoch != groupEpoch {
            targetAssignment = Self.assign(members: Array(members.values), partitionCounts: counts, by: assignorName)
            assignmentEpoch = groupEpoch
        }
        return reconcile(memberId, now: now)
    }

    /// Moves one member a step towards its target: revoke first, then give what no one else
    /// holds. A member holds what it was given, and what it was told to give up until it says
    /// it has (a claim to anything else is not believed).
    private mutating func reconcile(_ memberId: String, now: ContinuousClock.Instant) -> Answer {
        var member = members[memberId]!
        // A joining member is always answered with an assignment (empty, if that is all there is).
        let joining = member.memberEpoch == 0
        let target = targetAssignment[memberId] ?? [:]
        // Given back to it while it was giving them up: it holds them still.
        let returned = Self.intersection(member.revoking, target)
        member.assigned = Self.union(member.assigned, returned)
        member.revoking = Self.subtracting(member.revoking, returned)
        let toGiveUp = Self.subtracting(member.assigned, target)
        var next = Self.intersection(member.assigned, target)
        if !toGiveUp.isEmpty {
            // Give up what is not in the target before taking anything more. The clock of the
            // rebalance timeout starts when there was nothing being given up before.
            if Self.normalized(member.revoking).isEmpty { member.revokingSince = now }
            member.revoking = Self.union(member.revoking, toGiveUp)
        } else if Self.normalized(member.revoking).isEmpty {
            member.revokingSince = nil
            // A partition is someone else's while it is given to them or they are giving it up.
            let heldElsewhere = members.values.filter { $0.memberId != memberId }.reduce(into: Partitions()) {
                $0 = Self.union($0, Self.union($1.assigned, $1.revoking))
            }
            for (topic, partitions) in target {
                let free = partitions.subtracting(heldElsewhere[topic] ?? [])
                if !free.isEmpty { next[topic, default: []].formUnion(free) }
            }
            // Nothing left to give up: the member is at the target's epoch, even while a
            // partition it is to get is still being given up by another.
            member.memberEpoch = assignmentEpoch
        }
        let changed = joining || Self.normalized(next) != Self.normalized(member.assigned)
        member.assigned = next
        members[memberId] = member
        return Answer(
            memberId: memberId, memberEpoch: member.memberEpoch,
            assignment: changed || Self.normalized(member.owned) != Self.normalized(next) ? next : nil)
    }

    // MARK: Patterns

    /// Why a subscription pattern is refused, or nil. Patterns run on a backtracking matcher
    /// (Kafka's RE2/J does not backtrack), so the shapes that backtrack without end — a
    /// repeated group holding a repeat, an alternation or another group (`(a+)+`, `(.|.)*`),
    /// or many unbounded repeats in a row — are refused, and so are long patterns.
    static func problem(with pattern: String) -> String? {
        guard pattern.utf8.count <= 512 else { return "a subscription pattern is at most 512 characters" }
        guard (try? NSRegularExpression(pattern: pattern)) != nil else {
            return "'\(pattern)' is not a regular expression"
        }
        let shape = PatternShape(pattern)
        if shape.repeatsAComplexGroup {
            return
                "'\(pattern)' repeats a group that repeats, alternates or nests (it could take exponential time to match)"
        }
        if shape.unboundedRepeats > 3 {
            return "'\(pattern)' has more than three unbounded repeats (it could take long to match)"
        }
        return nil
    }

    /// The names `pattern` matches whole.
    static func matches(of pattern: String, among names: [String]) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else { return [] }
        return names.filter { expression.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
    }

    /// Members silent past the session timeout are removed (each moves the group epoch).
    /// So are members that have not given up what they were told to within their rebalance timeout.
    mutating func expire(now: ContinuousClock.Instant, sessionTimeoutMs: Int) -> [String] {
        let expired = members.values.filter { member in
            now - member.lastHeard > .milliseconds(sessionTimeoutMs)
                || member.revokingSince.map { now - $0 > .milliseconds(Int(max(member.rebalanceTimeoutMs, 0))) }
                    ?? false
        }.map(\.memberId)
        for id in expired {
            members[id] = nil
            bumpEpoch()
        }
        return expired
    }

    /// Whether `memberId` may commit with `epoch` (its own member epoch, as Kafka checks it).
    func commitCheck(memberId: String, epoch: Int32) -> ErrorCode {
        guard let member = members[memberId] else { return .unknownMemberId }
        return epoch == member.memberEpoch ? .none : .staleMemberEpoch
    }

    // MARK: Assignors

    /// The target assignment: `uniform` spreads every subscribed partition over the members
    /// subscribed to its topic, evenly, keeping each where it is when that stays even; `range`
    /// gives each member a contiguous range of each topic, as the classic range assignor does.
    static func assign(members: [Member], partitionCounts: [String: Int32], by assignor: String) -> [String: Partitions]
    {
        var result: [String: Partitions] = Dictionary(uniqueKeysWithValues: members.map { ($0.memberId, [:]) })
        for topic in partitionCounts.keys.sorted() {
            let subscribers = members.filter { $0.subscribedTopics.contains(topic) }.map(\.memberId).sorted()
            guard !subscribers.isEmpty, let count = partitionCounts[topic] else { continue }
            if assignor == "range" {
                let share = Int(count) / subscribers.count, extra = Int(count) % subscribers.count
                var next: Int32 = 0
                for (index, member) in subscribers.enumerated() {
                    let size = share + (index < extra ? 1 : 0)
                    if size > 0 { result[member]![topic] = Set(next..<(next + Int32(size))) }
                    next += Int32(size)
                }
                continue
            }
            // uniform: at most ceil(count / members) each; a partition stays with a member that
            // holds it while that member is under its share (fewer partitions move); the rest go
            // to the members holding the fewest partitions over all topics so far.
            let most = (Int(count) + subscribers.count - 1) / subscribers.count
            var taken: [String: Set<Int32>] = [:]
            var unplaced: [Int32] = []
            let holders = Dictionary(
                members.flatMap { member in (member.assigned[topic] ?? []).map { ($0, member.memberId) } },
                uniquingKeysWith: { first, _ in first })
            for partition in 0..<count {
                if let holder = holders[partition], subscribers.contains(holder), (taken[holder]?.count ?? 0) < most {
                    taken[holder, default: []].insert(partition)
                } else {
                    unplaced.append(partition)
                }
            }
            func load(_ member: String) -> Int {
                (taken[member]?.count ?? 0) + result[member]!.values.reduce(0) { $0 + $1.count }
            }
            for partition in unplaced {
                let member = subscribers.min { (load($0), $0) < (load($1), $1) }!
                taken[member, default: []].insert(partition)
            }
            for (member, partitions) in taken { result[member]![topic] = partitions }
        }
        return result
    }

    // MARK: Partition sets

    static func union(_ a: Partitions, _ b: Partitions) -> Partitions {
        a.merging(b) { $0.union($1) }
    }

    static func subtracting(_ a: Partitions, _ b: Partitions) -> Partitions {
        var result: Partitions = [:]
        for (topic, partitions) in a {
            let rest = partitions.subtracting(b[topic] ?? [])
            if !rest.isEmpty { result[topic] = rest }
        }
        return result
    }

    static func intersection(_ a: Partitions, _ b: Partitions) -> Partitions {
        var result: Partitions = [:]
        for (topic, partitions) in a {
            let common = partitions.intersection(b[topic] ?? [])
            if !common.isEmpty { result[topic] = common }
        }
        return result
    }

    /// Without topics of no partitions, so equal holdings compare equal.
    static func normalized(_ partitions: Partitions) -> Partitions { partitions.filter { !$0.value.isEmpty } }
}

/// What `ServerAssignedGroup.problem(with:)` looks for in a pattern, read character by
/// character (escapes and character classes skipped as units).
struct PatternShape {
    /// A group followed by `*`, `+` or `{` whose body holds a repeat, `|` or a group.
    private(set) var repeatsAComplexGroup = false
    /// How many `*`, `+` and `{n,}` there are.
    private(set) var unboundedRepeats = 0

    init(_ pattern: String) {
        let characters = Array(pattern)
        // For each open group: whether its body so far is complex.
        var open: [Bool] = []
        var index = 0
        var lastGroupComplex = false
        while index < characters.count {
            let character = characters[index]
            var closedGroup = false
            switch character {
            case "\\":
                index += 1 // the escaped character is a literal
            case "[":
                index += 1
                if index < characters.count, characters[index] == "^" { index += 1 }
                if index < characters.count, characters[index] == "]" { index += 1 }
                while index < characters.count, characters[index] != "]" {
                    if characters[index] == "\\" { index += 1 }
                    index += 1
                }
            case "(":
                if !open.isEmpty { open[open.count - 1] = true }
                open.append(false)
            case ")":
                lastGroupComplex = open.popLast() ?? false
                closedGroup = true
            case "|":
                if !open.isEmpty { open[open.count - 1] = true }
            case "*", "+", "{":
                let unbounded = character != "{" || Self.isOpenEnded(characters, from: index)
                if unbounded { unboundedRepeats += 1 }
                if !open.isEmpty { open[open.count - 1] = true }
                if index > 0, characters[index - 1] == ")", lastGroupComplex { repeatsAComplexGroup = true }
            default:
                break
            }
            if !closedGroup, character != "*", character != "+", character != "{", character != "?" {
                lastGroupComplex = false
            }
            index += 1
        }
    }

    /// Whether the `{` at `index` opens an `{n,}` (no upper bound).
    private static func isOpenEnded(_ characters: [Character], from index: Int) -> Bool {
        guard let close = characters[index...].firstIndex(of: "}") else { return false }
        return characters[index..<close].last == ","
    }
}
