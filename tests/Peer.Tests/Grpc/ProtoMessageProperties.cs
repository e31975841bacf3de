using CsCheck;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using MlAspire.Peer.Grpc;
using MlAspire.Peer.Network;
using MlAspire.Tests.Shared;
using BootstrapGrpc = MlAspire.Bootstrap.Grpc;

namespace MlAspire.Peer.Tests.Grpc;

/// <summary>
/// The protobuf messages a peer parses from others: TangleSync requests (callers, at most 64 KiB), TangleSync answers
/// (neighbours, at most <see cref="NeighbourDirectory.MaxReceiveMessageSize"/>), and the Bootstrap protocol both ways.
/// Parsing gives a message or an <see cref="InvalidProtocolBufferException"/>, re-encodes stably, and allocates
/// linearly in the input, so the gRPC size limits bound what any one message can cost.
/// </summary>
public sealed class ProtoMessageProperties
{
    public static readonly MessageDescriptor[] Received =
    [
        ListTransactionsRequest.Descriptor, GetTransactionRequest.Descriptor, WatchTransactionsRequest.Descriptor, GetStatusRequest.Descriptor, GetBlockRequest.Descriptor,
        TransactionMessage.Descriptor, PeerStatus.Descriptor, BlockMessage.Descriptor,
        BootstrapGrpc.JoinRequest.Descriptor, BootstrapGrpc.HeartbeatRequest.Descriptor, BootstrapGrpc.LeaveRequest.Descriptor,
        BootstrapGrpc.JoinResponse.Descriptor, BootstrapGrpc.HeartbeatResponse.Descriptor, BootstrapGrpc.ListPeersResponse.Descriptor, BootstrapGrpc.PeerEvent.Descriptor,
        BootstrapGrpc.GetBlockResponse.Descriptor,
    ];

    private static readonly Gen<MessageDescriptor> Types = Gen.Int[0, Received.Length - 1].Select(i => Received[i]);

    /// <summary>Field 15 as a group start (wire type 3): unknown groups nest, and skipping them recurses.</summary>
    private static readonly Gen<byte[]> NestedGroups = Gen.Int[1, 400].Select(depth => Enumerable.Repeat((byte)0x7B, depth).ToArray());

    /// <summary>A length-delimited field 3 declaring up to 2³¹ − 1 bytes, followed by a few.</summary>
    private static readonly Gen<byte[]> Overclaiming = Gen.Select(Gen.Int[1, int.MaxValue], Gen.Byte.Array[0, 32], (length, tail) =>
    {
        var bytes = new List<byte> { 0x1A };
        for (var v = (uint)length; ; v >>= 7)
        {
            bytes.Add((byte)(v < 0x80 ? v : (v & 0x7F) | 0x80));
            if (v < 0x80) break;
        }
        return (byte[])[.. bytes, .. tail];
    });

    private static Gen<byte[]> Encoded(MessageDescriptor type) => ProtoGen.Message(type).Select(m => m.ToByteArray());

    /// <summary>Anything a sender could put in a frame for <paramref name="type"/>.</summary>
    private static Gen<byte[]> Input(MessageDescriptor type) =>
        Gen.OneOf(Gen.Byte.Array[0, 300], NestedGroups, Overclaiming, Encoded(type), Mutations.Of(Encoded(type)));

    [Fact]
    public void Any_input_parses_or_raises_InvalidProtocolBufferException_and_what_parses_re_encodes_stably() =>
        Types.SelectMany(type => Input(type).Select(bytes => (type, bytes))).Sample((type, bytes) =>
        {
            IMessage? parsed = null;
            if (!HostileInput.Decodes<InvalidProtocolBufferException>(() => parsed = type.Parser.ParseFrom(bytes)))
                return;
            var encoded = parsed!.ToByteArray();
            var reparsed = type.Parser.ParseFrom(encoded);
            Assert.Equal(parsed, reparsed);
            Assert.Equal(encoded, reparsed.ToByteArray());
        }, iter: 5000);

    [Fact]
    public void Generated_messages_round_trip() =>
        Types.SelectMany(type => ProtoGen.Message(type)).Sample(message =>
            Assert.Equal(message, message.Descriptor.Parser.ParseFrom(message.ToByteArray())), iter: 1000);

    // Per input byte, parsing allocates at most: a copy of bytes fields (1), 2 bytes per character of strings, and per
    // element of a repeated field as short as 2 bytes, the element (a nested message up to about 100 bytes, with its
    // own empty repeated fields) and its slot in a doubling list. 128 bytes per byte bound that; the constant covers
    // the parse context and the exception (stack trace included), measured under 4 KiB. The gRPC limits then bound a
    // request at 128 × 64 KiB = 8 MiB and a neighbour's answer at 128 × 2 MiB = 256 MiB, in the worst case only.
    private const int BytesPerInputByte = 128;
    private const int ConstantBytes = 64 * 1024;

    [Fact]
    public void Parsing_allocates_at_most_128_bytes_per_input_byte_plus_8_KiB()
    {
        foreach (var type in Received)
            HostileInput.WarmUp<InvalidProtocolBufferException>(b => type.Parser.ParseFrom(b), [], [0x7B], [0x1A, 0x7F], Encoded(type).Single());
        Types.SelectMany(type => Gen.OneOf(Input(type), Repeated(type)).Select(bytes => (type, bytes))).Sample((type, bytes) =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<InvalidProtocolBufferException>(() => type.Parser.ParseFrom(bytes)));
            HostileInput.AssertAllocationWithin(allocated, bytes.Length, BytesPerInputByte, ConstantBytes, $"{type.Name} parse");
        }, iter: 2000, threads: 1);
    }

    /// <summary>The densest allocation per byte: many minimal elements of one repeated or map field (tag, length 0).</summary>
    private static Gen<byte[]> Repeated(MessageDescriptor type)
    {
        var repeated = type.Fields.InDeclarationOrder().Where(f => f.IsRepeated).ToArray();
        if (repeated.Length == 0)
            return Gen.Byte.Array[0, 8];
        return Gen.Select(Gen.Int[0, repeated.Length - 1], Gen.Int[1, 5000], (f, count) =>
        {
            var tag = (byte)((repeated[f].FieldNumber << 3) | 2);
            return Enumerable.Range(0, count).SelectMany(_ => new byte[] { tag, 0 }).ToArray();
        });
    }

    [Fact]
    public void Deeply_nested_groups_are_refused_not_a_stack_overflow()
    {
        var bytes = Enumerable.Repeat((byte)0x7B, 100_000).ToArray();
        foreach (var type in Received)
            Assert.Throws<InvalidProtocolBufferException>(() => type.Parser.ParseFrom(bytes));
    }
}
