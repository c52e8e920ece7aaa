#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Maps the memory pages inside `bytes` in one call before they are used (Linux 5.14's
/// `MADV_POPULATE_WRITE`, or `MADV_POPULATE_READ` with `forWriting` false): touching them one by
/// one had taken a page fault each (one per 4 KB of fresh memory), and in a virtual machine each
/// fault is a trap to its kernel. Only whole pages inside `bytes` are mapped (a page shared with
/// memory another thread writes is left to fault). A hint: where the kernel refuses (an older
/// kernel, another system, a mapped file cut short), the pages fault in as they are used.
public func populatePages(_ bytes: UnsafeRawBufferPointer, forWriting: Bool = true) {
    #if os(Linux)
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        let page = UInt(max(4096, sysconf(Int32(_SC_PAGESIZE))))
        let low = UInt(bitPattern: start)
        let high = low + UInt(bytes.count)
        let first = (low + page - 1) / page * page
        let last = high / page * page
        guard last > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, Int(last - first), forWriting ? 23 : 22)
    #endif
}

/// Maps the pages of the room `array` has reserved past its elements, up to `count` more
/// elements (``populatePages(_:forWriting:)``), before appends write there.
public func populateCapacity<Element>(of array: inout [Element], ahead count: Int) {
    let used = array.count
    let end = min(array.capacity, used + count)
    guard end > used else { return }
    array.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        populatePages(UnsafeRawBufferPointer(start: base + used, count: (end - used) * MemoryLayout<Element>.stride))
    }
}
