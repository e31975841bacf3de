using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using MlAspire.Peer.Grpc;

namespace MlAspire.Peer.Extensions;

/// <summary>
/// What the peer writes as JSON (its status page, <c>GET /</c>, and the problems its endpoints answer with),
/// source-generated: the native program has no reflection to discover it, and the JIT build is held to the same
/// (Peer.csproj).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PeerStatus))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(string))] // a problem's extensions (its trace id) are objects: their values' types are needed too
internal sealed partial class PeerJsonContext : JsonSerializerContext;
