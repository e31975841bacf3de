using System.Text.Json.Serialization;

namespace MlAspire.Storage.Ipfs;

// The JSON bodies of the Kubo RPC API as both Kubo and js-ipfs send them. Numbers are read from strings too:
// js-ipfs sends repo/stat numbers as strings, Kubo sends add's Size as a string. Parameters with defaults are
// optional; the others must be present.

internal sealed record IdResponse(string ID, string[]? Addresses = null, string? AgentVersion = null);

internal sealed record SwarmPeersResponse(SwarmPeerEntry[]? Peers = null);

internal sealed record SwarmPeerEntry(string Peer, string Addr);

/// <summary>One line of ping's stream: an answer is a success without text (the others announce or sum up).</summary>
internal sealed record PingLine(bool Success = false, string? Text = null);

internal sealed record AddResponse(string Hash, long Size);

internal sealed record BlockResponse(string Key, long Size);

internal sealed record CidLink([property: JsonPropertyName("/")] string Value);

internal sealed record DagPutResponse(CidLink Cid);

internal sealed record PinsResponse(string[]? Pins = null);

internal sealed record PinLsResponse(Dictionary<string, PinLsEntry>? Keys = null);

internal sealed record PinLsEntry(string Type);

internal sealed record GcLine(CidLink? Key = null, string? Error = null);

internal sealed record RepoStatResponse(long RepoSize, long StorageMax, long NumObjects);

internal sealed record PubsubLine(string? From = null, string? Data = null, string? Seqno = null, string[]? TopicIDs = null);

internal sealed record ErrorResponse(string? Message = null, int Code = 0, string? Type = null);

[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(SwarmPeersResponse))]
[JsonSerializable(typeof(PingLine))]
[JsonSerializable(typeof(AddResponse))]
[JsonSerializable(typeof(BlockResponse))]
[JsonSerializable(typeof(DagPutResponse))]
[JsonSerializable(typeof(PinsResponse))]
[JsonSerializable(typeof(PinLsResponse))]
[JsonSerializable(typeof(GcLine))]
[JsonSerializable(typeof(RepoStatResponse))]
[JsonSerializable(typeof(PubsubLine))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class KuboJson : JsonSerializerContext;
