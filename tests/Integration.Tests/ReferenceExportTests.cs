using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using MlAspire.Tangle.Learning;
using Onnx;

namespace MlAspire.Integration.Tests;

/// <summary>A running peer serves its reference model as ONNX to holders of the join token, and to no one else.</summary>
[Collection(RunsAlone.Name)]
public sealed class ReferenceExportTests : IAsyncLifetime
{
    private readonly LocalCluster _cluster = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <param name="native">The peer runs its native program (tools/native/publish.sh): no reflection there.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reference_downloads_as_onnx_with_the_join_token_only(bool native)
    {
        _cluster.StartBootstrap();
        var peer = _cluster.StartPeer("peer", native: native);
        await Eventually.TrueAsync(async () => await peer.StatusAsync() is { TangleSize: >= 10 } status && !double.IsNaN(status.ReferenceAccuracy),
            TimeSpan.FromSeconds(90), _cluster.Logs);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{peer.HttpPort}") };

        using var anonymous = await http.GetAsync("/reference.onnx");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Send the join token", await anonymous.Content.ReadAsStringAsync()); // a clear error, as JSON
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/reference.onnx") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "guess") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/reference.onnx") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", LocalCluster.JoinToken) } };
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var model = ModelProto.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());

        // The cluster's model is logistic regression: one Gemm of [10, 784] weights, then the softmax.
        Assert.Equal(("input", "probabilities"), (model.Graph.Input.Single().Name, model.Graph.Output.Single().Name));
        Assert.Equal(["Gemm", "Softmax"], model.Graph.Node.Select(n => n.OpType));
        var weights = model.Graph.Initializer.Single(t => t.Name.EndsWith(".weight", StringComparison.Ordinal));
        Assert.Equal([10L, 784L], weights.Dims);
        var values = MemoryMarshal.Cast<byte, float>(weights.RawData.Span).ToArray()
            .Concat(MemoryMarshal.Cast<byte, float>(model.Graph.Initializer.Single(t => t.Name.EndsWith(".bias", StringComparison.Ordinal)).RawData.Span).ToArray()).ToArray();
        var shape = ModelShape.LogisticRegression(784, 10);
        Assert.InRange(Models.Create(shape).Evaluate(values, MnistDigits.HeldOut()).Accuracy, 0.6, 1.0); // a trained model, not the genesis
    }
}
