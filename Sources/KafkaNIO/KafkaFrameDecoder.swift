import KafkaProtocol
import NIOCore

/// Splits an inbound byte stream into Kafka frames (without their size prefix), for the
/// client (responses) and the broker (requests) alike.
/// Sizes are checked by `FrameDecoder.checkSize` before any frame is buffered.
public final class KafkaFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = [UInt8]
    public let maxFrameSize: Int

    public init(maxFrameSize: Int) {
        self.maxFrameSize = maxFrameSize
    }

    public func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return .needMoreData }
        try FrameDecoder.checkSize(Int(size), maxFrameSize: maxFrameSize)
        guard buffer.readableBytes >= 4 + Int(size) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let frame = buffer.readBytes(length: Int(size))!
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
