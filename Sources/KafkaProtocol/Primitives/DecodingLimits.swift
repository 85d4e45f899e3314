/// Caps that bound what a decoder may allocate for hostile or corrupt input.
public struct DecodingLimits: Sendable, Equatable {
    /// The largest frame (request or response, after its 4-byte length) accepted.
    public var maxFrameSize: Int
    /// The largest output one compressed record block may inflate to.
    public var maxDecompressedSize: Int

    public init(maxFrameSize: Int = 100 * 1024 * 1024, maxDecompressedSize: Int = 256 * 1024 * 1024) {
        self.maxFrameSize = maxFrameSize
        self.maxDecompressedSize = maxDecompressedSize
    }

    public static let `default` = DecodingLimits()
}
