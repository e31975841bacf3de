using MlAspire.Tangle.Learning;

namespace MlAspire.Tests.Shared;

/// <summary>Weights blobs a well-formed encoder can never produce, for tests that prove peers refuse them.</summary>
public static class PoisonedWeights
{
    /// <summary>A valid MLAW blob with one NaN value and a checksum fixed up to match, so only the value check can catch it.</summary>
    public static byte[] WithNaN(ModelShape shape)
    {
        var bytes = WeightCodec.Encode(new ModelWeights(shape, new float[shape.ParameterCount]));
        BitConverter.GetBytes(float.NaN).CopyTo(bytes, WeightCodec.HeaderSizeFor(shape));
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(WeightCodec.HeaderSize)).CopyTo(bytes, WeightCodec.ChecksumOffset);
        return bytes;
    }
}
