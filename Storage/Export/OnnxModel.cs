using System.Runtime.InteropServices;
using Google.Protobuf;
using MlAspire.Tangle.Learning;
using Onnx;

namespace MlAspire.Storage.Export;

/// <summary>
/// A model's weights as an ONNX file other tools read (ONNX Runtime, ML.NET): input <see cref="InputName"/>, a batch
/// of flat samples [N, inputs]; output <see cref="OutputName"/>, class probabilities [N, classes]. Each layer becomes
/// the ONNX operator that computes what the engine's does, with its weights in the layout the engine stores them, and the
/// model's description as the graph's doc string. IR version 8, opset 13.
/// </summary>
public static class OnnxModel
{
    public const string InputName = "input";
    public const string OutputName = "probabilities";

    /// <summary>How each layer kind is written: (graph, layer, its parameters, the tensor it reads) → the tensor it writes.</summary>
    private static readonly Dictionary<string, Func<GraphProto, LayerPlacement, ReadOnlyMemory<float>, string, string>> Layers = new()
    {
        ["dense"] = Dense,
        ["relu"] = (graph, layer, _, input) => Add(graph, "Relu", Name(graph, layer), [input]),
        ["flatten"] = (graph, layer, _, input) => Add(graph, "Flatten", Name(graph, layer), [input], Int("axis", 1)),
        ["conv2d"] = Convolution,
        ["maxpool"] = (graph, layer, _, input) => Add(graph, "MaxPool", Name(graph, layer), [input],
            Ints("kernel_shape", layer.Spec.Arguments[0], layer.Spec.Arguments[0]), Ints("strides", layer.Spec.Arguments[0], layer.Spec.Arguments[0])),
    };

    public static byte[] Write(ModelWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var shape = weights.Shape;
        var graph = new GraphProto { Name = "mlaspire", DocString = shape.Description };
        graph.Input.Add(Tensor(InputName, shape.Inputs));
        graph.Output.Add(Tensor(OutputName, shape.Classes));
        var values = weights.ToArray().AsMemory();
        // The engine's activations are flat rows whatever their shape; ONNX tensors are [N, size] or [N, C, H, W].
        // Samples arrive flat: convolutions and pooling get them reshaped, dense layers and the softmax flattened.
        var (tensor, image) = (InputName, false);
        foreach (var layer in shape.Placements)
        {
            var write = Layers.GetValueOrDefault(layer.Spec.Kind) ?? throw new NotSupportedException($"No ONNX export for {layer.Spec.Kind} layers.");
            var spatial = layer.Spec.Kind is "conv2d" or "maxpool";
            if (spatial && !image)
            {
                var name = $"image_{graph.Node.Count}";
                graph.Initializer.Add(Int64Initializer($"{name}.shape", -1, layer.Input.Channels, layer.Input.Height, layer.Input.Width));
                tensor = Add(graph, "Reshape", name, [tensor, $"{name}.shape"]);
            }
            else if (layer.Spec.Kind == "dense" && image)
                tensor = Add(graph, "Flatten", $"flat_{graph.Node.Count}", [tensor], Int("axis", 1));
            tensor = write(graph, layer, values.Slice(layer.ParameterOffset, layer.ParameterCount), tensor);
            image = spatial || (image && layer.Spec.Kind != "flatten");
        }
        if (image)
            tensor = Add(graph, "Flatten", $"flat_{graph.Node.Count}", [tensor], Int("axis", 1));
        graph.Node.Add(Node("Softmax", "softmax", [tensor], OutputName, Int("axis", 1)));
        var model = new ModelProto { IrVersion = 8, ProducerName = "MlAspire", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    /// <summary>output = x · Wᵀ + b, with W stored [outputs, inputs] (so transB = 1), then b.</summary>
    private static string Dense(GraphProto graph, LayerPlacement layer, ReadOnlyMemory<float> values, string input)
    {
        var name = Name(graph, layer);
        graph.Initializer.Add(Initializer($"{name}.weight", values.Span[..layer.WeightCount], layer.Output.Size, layer.Input.Size));
        graph.Initializer.Add(Initializer($"{name}.bias", values.Span[layer.WeightCount..], layer.Output.Size));
        return Add(graph, "Gemm", name, [input, $"{name}.weight", $"{name}.bias"], Int("transB", 1));
    }

    /// <summary>Same-padded, stride 1: weights stored [filters, channels, kernel height, kernel width], then biases.</summary>
    private static string Convolution(GraphProto graph, LayerPlacement layer, ReadOnlyMemory<float> values, string input)
    {
        var name = Name(graph, layer);
        int height = layer.Spec.Arguments[0], width = layer.Spec.Arguments[1], filters = layer.Spec.Arguments[2];
        graph.Initializer.Add(Initializer($"{name}.weight", values.Span[..layer.WeightCount], filters, layer.Input.Channels, height, width));
        graph.Initializer.Add(Initializer($"{name}.bias", values.Span[layer.WeightCount..], filters));
        return Add(graph, "Conv", name, [input, $"{name}.weight", $"{name}.bias"],
            Ints("kernel_shape", height, width), Ints("pads", height / 2, width / 2, height / 2, width / 2));
    }

    private static string Name(GraphProto graph, LayerPlacement layer) => $"{layer.Spec.Kind}_{graph.Node.Count}";

    private static string Add(GraphProto graph, string op, string name, string[] inputs, params AttributeProto[] attributes)
    {
        graph.Node.Add(Node(op, name, inputs, name, attributes));
        return name;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Int64Initializer(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.AddRange(values);
        tensor.Dims.Add(values.Length);
        return tensor;
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
