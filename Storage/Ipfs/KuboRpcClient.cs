using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MlAspire.Storage.Ipfs;

/// <summary>
/// A typed client for the Kubo RPC API (/api/v0), working with Kubo and with js-ipfs. Construct it with an
/// <see cref="HttpClient"/> whose BaseAddress is the node's API root, such as http://127.0.0.1:5001/; give that client
/// an infinite Timeout when subscribing to pubsub, since a subscription is one long response.
/// CIDs are returned as base32 CIDv1 strings (or unchanged CIDv0s); fetches by CID take a timeout because a node
/// waits forever for a block nobody has.
/// </summary>
/// <remarks>
/// Every call has a deadline, because a node can accept the connection and never answer: <paramref name="callDeadline"/>
/// (default 30 s) for ordinary calls, <paramref name="gcDeadline"/> (default 5 min) for repo/gc, which walks the whole
/// repository. A missed deadline is a <see cref="TimeoutException"/> naming the call and the node. A pubsub subscription
/// has no overall deadline (it is endless by design), only one for the node to start answering.
/// </remarks>
public sealed class KuboRpcClient(HttpClient http, TimeSpan? callDeadline = null, TimeSpan? gcDeadline = null)
{
    public static readonly TimeSpan DefaultCallDeadline = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DefaultGcDeadline = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The node ends a call given a timeout argument itself; this extra client-side wait only guards against a node that
    /// ignores the argument.
    /// </summary>
    private static readonly TimeSpan ServerTimeoutGrace = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _callDeadline = callDeadline ?? DefaultCallDeadline;

    private readonly TimeSpan _gcDeadline = gcDeadline ?? DefaultGcDeadline;

    public async Task<NodeIdentity> IdAsync(CancellationToken cancellationToken)
    {
        var id = await PostJsonAsync("id", [], null, KuboJson.Default.IdResponse, cancellationToken);
        return new NodeIdentity(id.ID, id.Addresses ?? [], id.AgentVersion ?? "");
    }

    /// <summary>Dials <paramref name="multiaddr"/>, which must end in /p2p/&lt;peer id&gt;.</summary>
    public Task SwarmConnectAsync(string multiaddr, CancellationToken cancellationToken) =>
        PostAsync("swarm/connect", [("arg", multiaddr)], null, cancellationToken);

    /// <summary>Closes this node's connections to the node <paramref name="multiaddr"/> names (ending in /p2p/&lt;peer id&gt;).</summary>
    public Task SwarmDisconnectAsync(string multiaddr, CancellationToken cancellationToken) =>
        PostAsync("swarm/disconnect", [("arg", multiaddr)], null, cancellationToken);

    /// <summary>
    /// Pings node <paramref name="peerId"/> once over libp2p; true when it answered. Unlike swarm/connect, which a
    /// connection still open counts as done, this fails on a connection whose packets vanish (a partition), until the
    /// node closes it; bound the call with <paramref name="cancellationToken"/>.
    /// </summary>
    public Task<bool> PingAsync(string peerId, CancellationToken cancellationToken) =>
        WithDeadlineAsync("ping", _callDeadline, async token =>
        {
            using var response = await SendAsync("ping", [("arg", peerId), ("count", "1")], null, HttpCompletionOption.ResponseHeadersRead, token);
            await foreach (var line in ReadNdjsonAsync(response, KuboJson.Default.PingLine, token))
                if (line.Success && string.IsNullOrEmpty(line.Text))
                    return true; // the answer is in: the summary lines after it need not arrive
            return false;
        }, cancellationToken);

    public async Task<IReadOnlyList<SwarmPeer>> SwarmPeersAsync(CancellationToken cancellationToken)
    {
        var peers = await PostJsonAsync("swarm/peers", [], null, KuboJson.Default.SwarmPeersResponse, cancellationToken);
        return [.. (peers.Peers ?? []).Select(p => new SwarmPeer(p.Peer, p.Addr))];
    }

    /// <summary>
    /// Adds <paramref name="content"/> as a UnixFS file with raw leaves, so content up to one chunk (256 KiB) gets a
    /// raw-codec CID ("bafkrei…"), the same CID as <see cref="BlockPutAsync"/>; larger content gets a dag-pb root.
    /// </summary>
    public Task<string> AddAsync(ReadOnlyMemory<byte> content, bool pin, CancellationToken cancellationToken) =>
        WithDeadlineAsync("add", _callDeadline, async token =>
        {
            // One JSON object per added file, so one here; Kubo may stream more lines (progress) in other modes.
            using var response = await SendAsync(
                "add",
                [("pin", Flag(pin)), ("cid-version", "1"), ("cid-base", "base32"), ("raw-leaves", "true")],
                FilePart(content),
                HttpCompletionOption.ResponseContentRead,
                token);
            string? hash = null;
            await foreach (var added in ReadNdjsonAsync(response, KuboJson.Default.AddResponse, token))
                hash = added.Hash;
            return Multibase.CidToBase32(hash ?? throw new JsonException("add answered without a CID"));
        }, cancellationToken);

    /// <exception cref="TimeoutException">No node supplied the content within <paramref name="timeout"/>.</exception>
    public Task<byte[]> CatAsync(string cid, TimeSpan timeout, CancellationToken cancellationToken) =>
        FetchAsync("cat", cid, timeout, [], cancellationToken);

    /// <summary>
    /// Stores <paramref name="data"/> as one block, raw unless <paramref name="format"/> names another codec (dag-pb);
    /// returns its CIDv1. With <paramref name="pin"/> the node pins it in the same call, so a garbage collection can
    /// never fall between the put and the pin.
    /// </summary>
    public async Task<string> BlockPutAsync(ReadOnlyMemory<byte> data, bool pin, CancellationToken cancellationToken, string format = "raw")
    {
        // js-ipfs ignores cid-codec and needs format; Kubo still accepts format (deprecated) as cid-codec.
        var block = await PostJsonAsync("block/put", [("format", format), ("pin", Flag(pin))], FilePart(data), KuboJson.Default.BlockResponse, cancellationToken);
        return Multibase.CidToBase32(block.Key);
    }

    /// <exception cref="TimeoutException">No node supplied the block within <paramref name="timeout"/>.</exception>
    public Task<byte[]> BlockGetAsync(string cid, TimeSpan timeout, CancellationToken cancellationToken) =>
        FetchAsync("block/get", cid, timeout, [], cancellationToken);

    /// <summary>The size in bytes of a block held locally.</summary>
    public async Task<long> BlockStatAsync(string cid, CancellationToken cancellationToken)
    {
        var block = await PostJsonAsync("block/stat", [("arg", cid)], null, KuboJson.Default.BlockResponse, cancellationToken);
        return block.Size;
    }

    /// <summary>
    /// Stores a document given in <paramref name="inputCodec"/>, re-encoded in <paramref name="storeCodec"/>; links are
    /// written {"/": cid}. With dag-json, the CID is a base32 CIDv1 starting "bagu".
    /// </summary>
    public async Task<string> DagPutAsync(
        ReadOnlyMemory<byte> document, string inputCodec, string storeCodec, bool pin, CancellationToken cancellationToken)
    {
        var put = await PostJsonAsync(
            "dag/put",
            [("input-codec", inputCodec), ("store-codec", storeCodec), ("pin", Flag(pin)), ("cid-base", "base32")],
            FilePart(document),
            KuboJson.Default.DagPutResponse,
            cancellationToken);
        return Multibase.CidToBase32(put.Cid.Value);
    }

    /// <summary>The node's DAG-JSON encoding of the block, as UTF-8 bytes.</summary>
    /// <exception cref="TimeoutException">No node supplied the block within <paramref name="timeout"/>.</exception>
    public Task<byte[]> DagGetAsync(string cid, TimeSpan timeout, CancellationToken cancellationToken) =>
        FetchAsync("dag/get", cid, timeout, [("output-codec", "dag-json")], cancellationToken);

    /// <exception cref="TimeoutException">The node could not get the blocks within the deadline.</exception>
    /// <summary>Pins <paramref name="cid"/>, fetching it first when the node lacks it; the node gives up after <paramref name="timeout"/> (default: the call deadline).</summary>
    public Task PinAddAsync(string cid, bool recursive, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        FetchAsync("pin/add", cid, timeout ?? _callDeadline, [("recursive", Flag(recursive))], cancellationToken);

    public async Task<PinRemoval> PinRmAsync(string cid, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync("pin/rm", [("arg", cid)], null, cancellationToken);
            return PinRemoval.Removed;
        }
        // Kubo: "not pinned or pinned indirectly"; js-ipfs: "… is not pinned" or "… is pinned indirectly under …".
        catch (IpfsApiException e) when (e.Error?.Message is { } message &&
            (message.Contains("not pinned", StringComparison.OrdinalIgnoreCase) || message.Contains("pinned indirectly", StringComparison.OrdinalIgnoreCase)))
        {
            return PinRemoval.NotPinned;
        }
    }

    /// <summary>Whether <paramref name="cid"/> is pinned as <paramref name="type"/> ("recursive" or "direct"): one lookup, not a listing.</summary>
    public async Task<bool> IsPinnedAsync(string cid, string type, CancellationToken cancellationToken)
    {
        try
        {
            var pins = await PostJsonAsync("pin/ls", [("arg", cid), ("type", type)], null, KuboJson.Default.PinLsResponse, cancellationToken);
            return pins.Keys is { Count: > 0 };
        }
        // Kubo: "path '…' is not pinned"; js-ipfs: "… is not pinned".
        catch (IpfsApiException e) when (e.Error?.Message is { } message && message.Contains("not pinned", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
    }

    /// <summary>The CIDs pinned as <paramref name="type"/>: "recursive" (what <see cref="PinAddAsync"/> with recursive=true makes) or "direct".</summary>
    public async Task<IReadOnlyList<string>> PinLsAsync(CancellationToken cancellationToken, string type = "recursive")
    {
        var pins = await PostJsonAsync("pin/ls", [("type", type)], null, KuboJson.Default.PinLsResponse, cancellationToken);
        return [.. (pins.Keys ?? []).Keys.Select(Multibase.CidToBase32)];
    }

    /// <summary>Deletes every block that no pin protects; returns the CIDs removed. Bounded by the garbage collection deadline.</summary>
    public Task<IReadOnlyList<string>> RepoGcAsync(CancellationToken cancellationToken) =>
        WithDeadlineAsync<IReadOnlyList<string>>("repo/gc", _gcDeadline, async token =>
        {
            using var response = await SendAsync("repo/gc", [], null, HttpCompletionOption.ResponseHeadersRead, token);
            var removed = new List<string>();
            await foreach (var line in ReadNdjsonAsync(response, KuboJson.Default.GcLine, token))
            {
                if (line.Error is { } error)
                    throw new IpfsApiException("repo/gc", response.StatusCode, new IpfsError(error, 0, "error"));
                if (line.Key is { } key)
                    removed.Add(Multibase.CidToBase32(key.Value));
            }
            ThrowOnStreamError("repo/gc", response);
            return removed;
        }, cancellationToken);

    public async Task<RepoStatistics> RepoStatAsync(CancellationToken cancellationToken)
    {
        var stat = await PostJsonAsync("repo/stat", [], null, KuboJson.Default.RepoStatResponse, cancellationToken);
        return new RepoStatistics(stat.RepoSize, stat.StorageMax, stat.NumObjects);
    }

    public Task PubsubPublishAsync(string topic, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        PostAsync("pubsub/pub", [("arg", TopicArg(topic))], FilePart(data), cancellationToken);

    /// <summary>
    /// Messages on <paramref name="topic"/> until <paramref name="cancellationToken"/> is cancelled (the enumeration then
    /// throws <see cref="OperationCanceledException"/>) or the node ends the stream. The subscription starts when
    /// enumeration starts, and ends when it stops; the mesh needs about a second more before publishers reach it.
    /// A node also receives its own messages. Kubo and js-ipfs both answer (headers) as soon as they have subscribed, so
    /// that answer has the call deadline; the messages that follow have none: a topic may stay quiet for any time.
    /// </summary>
    /// <exception cref="JsonException">A line of the stream is not a pubsub message (the subscription ends with it).</exception>
    /// <exception cref="FormatException">A message's data, seqno or topic is not multibase base64url.</exception>
    public async IAsyncEnumerable<PubsubMessage> PubsubSubscribeAsync(string topic, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await WithDeadlineAsync(
            "pubsub/sub", _callDeadline, token => SendAsync("pubsub/sub", [("arg", TopicArg(topic))], null, HttpCompletionOption.ResponseHeadersRead, token), cancellationToken);
        await foreach (var line in ReadNdjsonAsync(response, KuboJson.Default.PubsubLine, cancellationToken))
        {
            // The first line, {}, only acknowledges the subscription.
            if (line.From is null || line.Data is null)
                continue;
            yield return new PubsubMessage(
                line.From,
                Multibase.DecodeBase64Url(line.Data),
                line.Seqno is null ? [] : Multibase.DecodeBase64Url(line.Seqno),
                [.. (line.TopicIDs ?? []).Select(t => Encoding.UTF8.GetString(Multibase.DecodeBase64Url(t)))]);
        }
        ThrowOnStreamError("pubsub/sub", response);
    }

    /// <summary>Topics travel in URLs as multibase base64url: topic names may hold any bytes.</summary>
    private static string TopicArg(string topic) => Multibase.EncodeBase64Url(Encoding.UTF8.GetBytes(topic));

    /// <summary>
    /// A call that may have to fetch <paramref name="cid"/> from the network: the node is told to give up after
    /// <paramref name="timeout"/> (a Go-style duration, which Kubo and js-ipfs both parse), and this client gives up a
    /// grace period later. Returns the body.
    /// </summary>
    private async Task<byte[]> FetchAsync(
        string endpoint, string cid, TimeSpan timeout, (string Name, string Value)[] options, CancellationToken cancellationToken)
    {
        var timeoutArg = $"{Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds))}ms";
        try
        {
            return await WithDeadlineAsync($"{endpoint} of {cid}", timeout + ServerTimeoutGrace, async token =>
            {
                using var response = await SendAsync(
                    endpoint, [("arg", cid), ("timeout", timeoutArg), .. options], null, HttpCompletionOption.ResponseHeadersRead, token);
                var bytes = await response.Content.ReadAsByteArrayAsync(token);
                ThrowOnStreamError(endpoint, response);
                return bytes;
            }, cancellationToken);
        }
        // js-ipfs: "request timed out"; Kubo: "context deadline exceeded".
        catch (IpfsApiException e) when (e.Error?.Message is { } message &&
            (message.Contains("timed out", StringComparison.OrdinalIgnoreCase) || message.Contains("deadline exceeded", StringComparison.OrdinalIgnoreCase)))
        {
            throw new TimeoutException($"IPFS {endpoint} of {cid} at {http.BaseAddress} timed out after {timeout.TotalSeconds:0.###} s", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="call"/> with a token cancelled after <paramref name="deadline"/>; a call cut short by the
    /// deadline, not by <paramref name="cancellationToken"/>, becomes a <see cref="TimeoutException"/>.
    /// </summary>
    private async Task<T> WithDeadlineAsync<T>(string what, TimeSpan deadline, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(deadline);
        try
        {
            return await call(guard.Token);
        }
        catch (OperationCanceledException e) when (guard.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"IPFS {what} at {http.BaseAddress} got no answer within {deadline.TotalSeconds:0.###} s", e);
        }
    }

    /// <summary>A call whose answer carries nothing to read.</summary>
    private Task PostAsync(string endpoint, (string Name, string Value)[] args, HttpContent? body, CancellationToken cancellationToken) =>
        WithDeadlineAsync(endpoint, _callDeadline, async token =>
        {
            using var _ = await SendAsync(endpoint, args, body, HttpCompletionOption.ResponseContentRead, token);
            return true;
        }, cancellationToken);

    private Task<T> PostJsonAsync<T>(
        string endpoint, (string Name, string Value)[] args, HttpContent? body, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        WithDeadlineAsync(endpoint, _callDeadline, async token =>
        {
            using var response = await SendAsync(endpoint, args, body, HttpCompletionOption.ResponseContentRead, token);
            var bytes = await response.Content.ReadAsByteArrayAsync(token);
            return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new JsonException($"IPFS {endpoint} answered null");
        }, cancellationToken);

    /// <summary>POSTs the call (the API refuses GET), without an Origin header (the API refuses those with 403).</summary>
    private async Task<HttpResponseMessage> SendAsync(
        string endpoint, (string Name, string Value)[] args, HttpContent? body, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var query = string.Join('&', args.Select(a => $"{a.Name}={Uri.EscapeDataString(a.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v0/{endpoint}{(query.Length == 0 ? "" : "?" + query)}") { Content = body };
        var response = await http.SendAsync(request, completion, cancellationToken);
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw new IpfsApiException(endpoint, response.StatusCode, await ReadErrorAsync(response, cancellationToken));
    }

    private static async Task<IpfsError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var error = JsonSerializer.Deserialize(text, KuboJson.Default.ErrorResponse);
            if (error?.Message is { } message)
                return new IpfsError(message, error.Code, error.Type ?? "error");
        }
        catch (JsonException)
        {
            // Not a JSON error body (for instance a 404 page): keep the text as the message.
        }
        return string.IsNullOrWhiteSpace(text) ? null : new IpfsError(text.Trim(), 0, "");
    }

    /// <summary>Kubo reports an error that happens after a streamed 200 in the X-Stream-Error trailer.</summary>
    private static void ThrowOnStreamError(string endpoint, HttpResponseMessage response)
    {
        if (response.TrailingHeaders.TryGetValues("X-Stream-Error", out var values) && string.Join("; ", values) is { Length: > 0 } message)
            throw new IpfsApiException(endpoint, response.StatusCode, new IpfsError(message, 0, "error"));
    }

    private static async IAsyncEnumerable<T> ReadNdjsonAsync<T>(
        HttpResponseMessage response, JsonTypeInfo<T> typeInfo, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line))
                yield return JsonSerializer.Deserialize(line, typeInfo) ?? throw new JsonException($"null line in {response.RequestMessage?.RequestUri}");
        }
    }

    private static MultipartFormDataContent FilePart(ReadOnlyMemory<byte> data)
    {
        var part = new ReadOnlyMemoryContent(data);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { part, "file", "file" } };
    }

    private static string Flag(bool value) => value ? "true" : "false";
}
