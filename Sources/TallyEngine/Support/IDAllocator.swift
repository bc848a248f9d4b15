import Synchronization
import TallyCore

/// The one id sequence shared by entries, lots and holds, continued from the database's highest.
final class IDAllocator: Sendable {
    private let last: Atomic<Int64>

    init(after highest: Int64) { last = Atomic(highest) }

    func next() -> Int64 { last.wrappingAdd(1, ordering: .relaxed).newValue }
}

/// Hands the allocator to the pure rules, which only see ``IDSource``.
struct AllocatedIDs: IDSource {
    let allocator: IDAllocator

    mutating func next() -> Int64 { allocator.next() }
}
