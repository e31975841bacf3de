using System.Runtime.InteropServices;
using Google.Protobuf;
using MlAspire.Tangle.Learning;
using Onnx;

namespace MlAspire.Storage.Export;

/// <summary>
/// A model's weights as an ONNX file other tools read (ONNX Runtime, ML.NET): input <see cref="InputName"/>, a batch
/// of flat samples [N, inputs]; output <see cref="OutputName"/>, class probabilities [N, classes]. Each dense layer is a
/// Gemm with the weights as stored ([outputs, inputs], so transB = 1), then ReLU between layers and a softmax at the end,
/// the engine's own forward pass. IR version 8, opset 13.
/// </summary>
public static class OnnxModel
{
    public const string InputName = "input";
    public const string OutputName = "probabilities";

    public static byte[] Write(ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var shape = weights.Shape;
        var graph = new GraphProto { Name = $"mlaspire-{shape.Architecture.ToString().ToLowerInvariant()}" };
        graph.Input.Add(Tensor(InputName, shape.Inputs));
        graph.Output.Add(Tensor(OutputName, shape.Classes));
        var values = weights.Values;
        var logits = shape.Architecture switch
        {
            ModelArchitecture.LogisticRegression => Dense(graph, "dense", InputName, values, shape.Inputs, shape.Classes),
            ModelArchitecture.Mlp => Dense(graph, "output", Relu(graph, "hidden_relu",
                Dense(graph, "hidden", InputName, values, shape.Inputs, shape.Hidden)), values[(shape.Inputs * shape.Hidden + shape.Hidden)..], shape.Hidden, shape.Classes),
            _ => throw new NotSupportedException($"No ONNX export for {shape.Architecture}."),
        };
        graph.Node.Add(Node("Softmax", "softmax", [logits], OutputName, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        var model = new ModelProto { IrVersion = 8, ProducerName = "MlAspire", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>output = x · Wᵀ + b, with W ([outputs, inputs]) then b (outputs) read from the start of <paramref name="values"/>.</summary>
    private static string Dense(GraphProto graph, string name, string input, ReadOnlySpan<float> values, int inputs, int outputs)
    {
        graph.Initializer.Add(Initializer($"{name}.weight", values[..(inputs * outputs)], outputs, inputs));
        graph.Initializer.Add(Initializer($"{name}.bias", values.Slice(inputs * outputs, outputs), outputs));
        graph.Node.Add(Node("Gemm", name, [input, $"{name}.weight", $"{name}.bias"], name,
            new AttributeProto { Name = "transB", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        return name;
    }

    private static string Relu(GraphProto graph, string name, string input)
    {
        graph.Node.Add(Node("Relu", name, [input], name));
        return name;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static TensorProto Initializer(string name, ReadOnlySpan<float> values, params long[] dimensions)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dimensions);
        return tensor;
    }

    /// <summary>A float tensor [N, <paramref name="width"/>] with a named batch dimension.</summary>
    private static ValueInfoProto Tensor(string name, int width)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
