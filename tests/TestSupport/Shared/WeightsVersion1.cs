using System.Buffers.Binary;
using System.Security.Cryptography;
using MlAspire.Tangle.Learning;

namespace MlAspire.Tests.Shared;

/// <summary>Weights as the encoder before layer lists wrote them (format version 1), for the tests that prove they still read.</summary>
public static class WeightsVersion1
{
    /// <param name="hidden">0 for logistic regression, the hidden units of an MLP otherwise.</param>
    public static byte[] Encode(ModelWeights weights, int inputs, int hidden, int classes)
    {
        var values = weights.Values;
        var bytes = new byte[56 + 4 * values.Length];
        "MLAW"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), 1);
        bytes[6] = hidden == 0 ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), inputs);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), hidden);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), classes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), values.Length);
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(56 + 4 * i), values[i]);
        SHA256.HashData(bytes.AsSpan(56), bytes.AsSpan(24, 32));
        return bytes;
    }
}
