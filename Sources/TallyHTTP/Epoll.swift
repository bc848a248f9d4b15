import Glibc

/// The Linux `epoll` and `eventfd` calls, which the Glibc module does not export.
///
/// They are looked up once with `dlsym` and called through C function pointers, so no C shim
/// target or unsafe compiler flag is needed.
enum Epoll {
    static let readable: UInt32 = 0x001
    static let writable: UInt32 = 0x004
    static let error: UInt32 = 0x008
    static let hangUp: UInt32 = 0x010

    private static let controlAdd: Int32 = 1
    private static let controlDelete: Int32 = 2
    private static let controlModify: Int32 = 3
    private static let closeOnExec: Int32 = 0o2_000_000
    private static let nonBlocking: Int32 = 0o4_000

    /// The size of `struct epoll_event`, which the kernel packs to 12 bytes on x86-64 only.
    #if arch(x86_64)
    static let eventSize = 12
    static let dataOffset = 4
    #else
    static let eventSize = 16
    static let dataOffset = 8
    #endif

    private typealias CreateFunction = @convention(c) (Int32) -> Int32
    private typealias ControlFunction = @convention(c) (Int32, Int32, Int32, UnsafeRawPointer?) -> Int32
    private typealias WaitFunction = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    private typealias EventFDFunction = @convention(c) (UInt32, Int32) -> Int32

    private static let createFunction = unsafeBitCast(symbol("epoll_create1"), to: CreateFunction.self)
    private static let controlFunction = unsafeBitCast(symbol("epoll_ctl"), to: ControlFunction.self)
    private static let waitFunction = unsafeBitCast(symbol("epoll_wait"), to: WaitFunction.self)
    private static let eventFDFunction = unsafeBitCast(symbol("eventfd"), to: EventFDFunction.self)

    /// Finds a libc function already loaded into the process.
    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(dlopen(nil, RTLD_NOW), name)
    }

    /// Creates an epoll instance.
    static func create() throws(HTTPServerError) -> Int32 {
        let fd = createFunction(closeOnExec)
        guard fd >= 0 else { throw .system("epoll_create1", errno) }
        return fd
    }

    /// Creates a non-blocking eventfd used to wake a loop from other threads.
    static func createEventFD() throws(HTTPServerError) -> Int32 {
        let fd = eventFDFunction(0, closeOnExec | nonBlocking)
        guard fd >= 0 else { throw .system("eventfd", errno) }
        return fd
    }

    /// Starts watching a descriptor for the given events.
    static func add(_ epoll: Int32, fd: Int32, events: UInt32) throws(HTTPServerError) {
        guard control(epoll, controlAdd, fd: fd, events: events) == 0 else { throw .system("epoll_ctl", errno) }
    }

    /// Changes the events watched on a descriptor.
    static func modify(_ epoll: Int32, fd: Int32, events: UInt32) {
        _ = control(epoll, controlModify, fd: fd, events: events)
    }

    /// Stops watching a descriptor.
    static func remove(_ epoll: Int32, fd: Int32) {
        _ = control(epoll, controlDelete, fd: fd, events: 0)
    }

    /// Waits for events into a buffer of `capacity` records and returns how many arrived.
    static func wait(_ epoll: Int32, into events: UnsafeMutableRawPointer, capacity: Int, timeoutMs: Int) -> Int {
        Int(waitFunction(epoll, events, Int32(capacity), Int32(timeoutMs)))
    }

    /// Reads the event mask of record `index` in a wait buffer.
    static func events(in buffer: UnsafeMutableRawPointer, at index: Int) -> UInt32 {
        buffer.loadUnaligned(fromByteOffset: index * eventSize, as: UInt32.self)
    }

    /// Reads the descriptor stored in record `index` of a wait buffer.
    static func descriptor(in buffer: UnsafeMutableRawPointer, at index: Int) -> Int32 {
        Int32(truncatingIfNeeded: buffer.loadUnaligned(fromByteOffset: index * eventSize + dataOffset, as: UInt64.self))
    }

    private static func control(_ epoll: Int32, _ operation: Int32, fd: Int32, events: UInt32) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: eventSize, alignment: 8) { record in
            record.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            record.storeBytes(of: UInt64(UInt32(bitPattern: fd)), toByteOffset: dataOffset, as: UInt64.self)
            return controlFunction(epoll, operation, fd, UnsafeRawPointer(record.baseAddress))
        }
    }
}
