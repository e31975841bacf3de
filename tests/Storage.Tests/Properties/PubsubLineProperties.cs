using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Storage.Content;
using MlAspire.Storage.Ipfs;
using MlAspire.Storage.Transactions;
using MlAspire.Tests.Shared;

namespace MlAspire.Storage.Tests.Properties;

/// <summary>
/// The NDJSON lines of Kubo's pubsub/sub, read by <see cref="KuboRpcClient.PubsubSubscribeAsync"/>: messages, or a
/// <see cref="JsonException"/> (a line that is not a message) or <see cref="FormatException"/> (a field that is not
/// multibase base64url), nothing else. Each message's data is another peer's transaction, for the verifier.
/// </summary>
public sealed class PubsubLineProperties : IDisposable
{
    private readonly TestTangle _tangle = new();

    public void Dispose() => _tangle.Dispose();

    /// <summary>An IPFS node whose subscription answers <paramref name="body"/> and ends.</summary>
    private sealed class Node(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request });
    }

    private static List<PubsubMessage> Subscribe(byte[] body)
    {
        using var http = new HttpClient(new Node(body)) { BaseAddress = new Uri("http://ipfs.test/") };
        return [.. new KuboRpcClient(http).PubsubSubscribeAsync("topic", CancellationToken.None).ToBlockingEnumerable()];
    }

    private static string Line(string from, byte[] data, byte[] seqno, string[] topics) => JsonSerializer.Serialize(new
    {
        from,
        data = Multibase.EncodeBase64Url(data),
        seqno = Multibase.EncodeBase64Url(seqno),
        topicIDs = topics.Select(t => Multibase.EncodeBase64Url(Encoding.UTF8.GetBytes(t))),
    });

    private static readonly Gen<(string From, byte[] Data, byte[] Seqno, string[] Topics)> Messages =
        Gen.Select(TransactionGen.Text, Gen.Byte.Array[0, 300], Gen.Byte.Array[0, 8], TransactionGen.Text.Array[0, 3]);

    private static readonly Gen<byte[]> ValidLine = Messages.Select((from, data, seqno, topics) => Encoding.UTF8.GetBytes(Line(from, data, seqno, topics)));

    private static readonly Gen<byte[]> AnyBody = Gen.OneOf(
        Gen.Byte.Array[0, 300],
        JsonMutations.Arbitrary(["from", "data", "seqno", "topicIDs", "From", "DATA"]),
        Mutations.Of(ValidLine),
        ValidLine.SelectMany(JsonMutations.Of));

    [Fact]
    public void Any_line_reads_as_messages_or_raises_JsonException_or_FormatException() =>
        AnyBody.Sample(body => { HostileInput.Decodes<JsonException, FormatException>(() => Subscribe(body)); }, iter: 1000);

    [Fact]
    public void Messages_round_trip_through_their_lines() =>
        Messages.Array[1, 3].Sample(messages =>
        {
            var body = string.Join('\n', messages.Select(m => Line(m.From, m.Data, m.Seqno, m.Topics)));
            var read = Subscribe(Encoding.UTF8.GetBytes(body));
            Assert.Equal(messages.Length, read.Count);
            foreach (var (sent, received) in messages.Zip(read))
            {
                Assert.Equal(sent.From, received.From);
                Assert.Equal(sent.Data, received.Data);
                Assert.Equal(sent.Seqno, received.Seqno);
                Assert.Equal(sent.Topics, received.Topics);
            }
        }, iter: 300);

    [Fact]
    public void A_published_transaction_mutated_in_flight_is_rejected_unless_unchanged()
    {
        var now = TestTangle.GenesisTime + 3_600_000;
        var verifier = _tangle.Verifier(8, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(now)));
        var original = TransactionCodec.Encode(TransactionGen.Valid(_tangle, now, 8, 60_000).Single().Document);
        Gen.OneOf(Gen.Const(original), Mutations.Of(Gen.Const(original)), JsonMutations.Of(original)).Sample(data =>
        {
            var message = Assert.Single(Subscribe(Encoding.UTF8.GetBytes(Line("12D3KooW", data, [1], ["topic"]))));
            try
            {
                verifier.Verify(Cid.Compute(ContentCodec.DagJson, message.Data), message.Data);
                Assert.Equal(original, message.Data);
            }
            catch (TransactionRejectedException)
            {
                Assert.NotEqual(original, message.Data);
            }
        }, iter: 300);
    }

    [Fact]
    public void A_null_topic_is_a_FormatException()
    {
        // Regression: "topicIDs":[null] reached Multibase.DecodeBase64Url(null), a NullReferenceException.
        var line = """{"from":"12D3KooW","data":"ue30","seqno":"uAQ","topicIDs":[null]}"""u8.ToArray();
        Assert.Throws<FormatException>(() => Subscribe(line));
    }

    // Per byte of a line: the line as a string (2, built in a StringBuilder: 4), its UTF-8 transcoding for the
    // deserializer (up to 3 bytes per character, pooled in power-of-two buffers: 6), the data field as a string (2)
    // and decoded (3/4): under 13; 16 bounds it. The constant is the HTTP request and response, the stream reader's
    // buffers and the enumerators, about 20 KiB measured; 48 KiB leaves room.
    [Fact]
    public void Reading_a_line_allocates_at_most_16_bytes_per_byte_plus_48_KiB()
    {
        Subscribe(ValidLine.Single());
        Gen.OneOf(AnyBody, Gen.Byte.Array[0, 40_000].Select(data => Encoding.UTF8.GetBytes(Line("12D3KooW", data, [], [])))).Sample(body =>
        {
            var allocated = HostileInput.BytesAllocatedBy(() => HostileInput.Decodes<JsonException, FormatException>(() => Subscribe(body)));
            HostileInput.AssertAllocationWithin(allocated, body.Length, 16, 48 * 1024, "KuboRpcClient.PubsubSubscribeAsync");
        }, iter: 300, threads: 1);
    }
}
