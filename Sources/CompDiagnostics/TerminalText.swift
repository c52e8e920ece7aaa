import CompCore

/// Text from untrusted input (ids, names, paths, plan strings) made safe to show on a terminal.
///
/// A value can hold characters that drive the terminal instead of being shown: an escape (ESC,
/// 0x1B) that clears the screen or sets the window title, an 8-bit CSI (U+009B), a bidirectional
/// override that shows `T2 DSU 00.001` as `T2 100.00 USD`, a line break that forges a line of
/// its own. They are written as escapes (`\u{1B}`, `\u{202E}`) instead.
public enum TerminalText {
    /// Whether `scalar` is a control character that must not reach a terminal raw: C0 controls
    /// and DEL, C1 controls (U+0080–U+009F), bidirectional formatting characters, and the Unicode
    /// line and paragraph separators.
    @inlinable
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool { isTerminalControl(scalar) }

    /// Whether `scalar` shows as nothing at all: a soft hyphen, a zero-width space, joiner or
    /// non-joiner, a word joiner or invisible operator, a zero-width no-break space (U+FEFF).
    /// Text may hold them (a name with an emoji sequence); an id may not: `T8` and `T8` with a
    /// zero-width space after it print the same and are two ids.
    @inlinable
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x200B...0x200D, 0x2060...0x2064, 0xFEFF: return true
        default: return false
        }
    }

    /// Whether every byte is printable ASCII (0x20 to 0x7E): text with no control, invisible or
    /// non-ASCII character, which has nothing to escape or decode. Checked without stopping
    /// early, which the compiler turns into vector code (walking a string's UTF-8 view byte by
    /// byte had cost 13 % of a run refusing millions of rows, each message made printable).
    @inlinable
    public static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { CompCore.isPrintableASCII(bytes) }

    /// The first character of the UTF-8 `bytes` an id may not hold: a control character or an
    /// invisible one (``isControl(_:)``, ``isInvisible(_:)``); `nil` when there is none.
    @inlinable
    public static func firstUnprintable(_ bytes: some Sequence<UInt8>) -> Unicode.Scalar? {
        // Printable ASCII throughout (most ids): nothing to decode.
        if bytes.withContiguousStorageIfAvailable(isPrintableASCII) == true { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if isControl(scalar) || isInvisible(scalar) { return scalar }
            case .emptyInput: return nil
            case .error: continue
            }
        }
    }

    /// Whether the UTF-8 `bytes` hold such a control character anywhere.
    public static func containsControl(_ bytes: some Sequence<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if isControl(scalar) { return true }
            case .emptyInput: return false
            case .error: continue
            }
        }
    }

    /// `text` with every control character written as an escape (`\t`, `\n`, `\r`, `\u{1B}`),
    /// except line breaks and tabs when `lineBreaks` (a whole report, whose lines are its own).
    public static func safe(_ text: String, lineBreaks: Bool = false) -> String { terminalSafe(text, keepingLineBreaks: lineBreaks) }

    /// ``safe(_:lineBreaks:)``, with invisible characters written as escapes too (`n\u{200B}ew`):
    /// for data values shown to be told apart, where `n<U+200B>ew` would print as `new`, the value
    /// it is not. (Not for names, which may hold a joiner in an emoji sequence.)
    public static func showingInvisibles(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return safe(text) }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) && !isControl(scalar) {
                out.append(contentsOf: ("\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}").unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return safe(String(out))
    }
}

/// `U+0041`-style code point of `scalar` (at least four hex digits), as messages name characters
/// (plan diagnostics and data messages alike).
public func codePoint(_ scalar: UInt32) -> String {
    let hex = String(scalar, radix: 16, uppercase: true)
    return "U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)"
}
