/// The last index of `range` where `startsBy` holds, for a predicate that holds on a prefix of the
/// range and nowhere after it (rows sorted by their start, asked whether each starts by a date);
/// `nil` when it holds nowhere. A binary search: a rep's rows on the roster are found this way
/// when it has many (walked, each of its transactions had cost every row).
@inlinable
public func lastIndex(in range: Range<Int>, startsBy: (Int) -> Bool) -> Int? {
    var low = range.lowerBound
    var high = range.upperBound
    guard low < high, startsBy(low) else { return nil }
    while high - low > 1 {
        let middle = low + (high - low) / 2
        if startsBy(middle) { low = middle } else { high = middle }
    }
    return low
}
