using CsCheck;
using Xunit.Sdk;

namespace MlAspire.Tests.Shared;

/// <summary>
/// What every decoder of another peer's bytes must show, as helpers for CsCheck properties: it returns a value or throws
/// its one documented rejection, never anything else; it allocates at most linearly in what it was handed; and
/// mutations of a valid encoding reach its corners (<see cref="Mutations"/>).
/// </summary>
public static class HostileInput
{
    /// <summary>
    /// Runs <paramref name="decode"/>: true when it returned, false when it threw <typeparamref name="TRejection"/> (or a
    /// subtype). Any other exception fails the property, naming the type that escaped.
    /// </summary>
    public static bool Decodes<TRejection>(Action decode) where TRejection : Exception => Decodes(decode, typeof(TRejection));

    /// <summary>As <see cref="Decodes{TRejection}"/>, for a decoder documented to reject with either of two exceptions.</summary>
    public static bool Decodes<TRejection, TOtherRejection>(Action decode) where TRejection : Exception where TOtherRejection : Exception =>
        Decodes(decode, typeof(TRejection), typeof(TOtherRejection));

    private static bool Decodes(Action decode, params Type[] documented)
    {
        try
        {
            decode();
            return true;
        }
        catch (Exception e) when (documented.Any(type => type.IsInstanceOfType(e)))
        {
            return false;
        }
        catch (Exception e)
        {
            throw new XunitException($"{e.GetType().FullName} escaped the decoder (documented: {string.Join(", ", documented.Select(t => t.Name))}): {e.Message}\n{e.StackTrace}");
        }
    }

    /// <summary>Bytes the managed heap gave this thread during <paramref name="action"/> (exact, not sampled, in .NET Core 3+).</summary>
    public static long BytesAllocatedBy(Action action)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Fails unless <paramref name="allocated"/> ≤ <paramref name="perByte"/> × <paramref name="inputLength"/> + <paramref name="constant"/>.</summary>
    public static void AssertAllocationWithin(long allocated, int inputLength, int perByte, int constant, string what)
    {
        var bound = (long)perByte * inputLength + constant;
        if (allocated > bound)
            throw new XunitException($"{what}: {allocated} bytes allocated for {inputLength} input bytes; the bound is {perByte} × {inputLength} + {constant} = {bound}.");
    }

    /// <summary>
    /// Runs each decode of <paramref name="warmUp"/> once, so that type initialisers, first exceptions and pool buckets
    /// are not charged to the first measured input.
    /// </summary>
    public static void WarmUp<TRejection>(Action<byte[]> decode, params byte[][] warmUp) where TRejection : Exception
    {
        foreach (var input in warmUp)
            Decodes<TRejection>(() => decode(input));
    }
}

/// <summary>Byte-level mutations of a valid encoding: flips, overwrites, truncations, extensions, insertions, deletions, splices.</summary>
public static class Mutations
{
    private static readonly Gen<byte[]> Noise = Gen.Byte.Array[1, 16];

    /// <summary>One to three mutations of a value of <paramref name="valid"/>.</summary>
    public static Gen<byte[]> Of(Gen<byte[]> valid) =>
        Gen.Select(valid, Gen.Int[1, 3]).SelectMany((bytes, count) => Repeat(bytes, count));

    private static Gen<byte[]> Repeat(byte[] bytes, int count) =>
        count == 0 ? Gen.Const(bytes) : One(bytes).SelectMany(mutated => Repeat(mutated, count - 1));

    /// <summary>One mutation of <paramref name="bytes"/>.</summary>
    public static Gen<byte[]> One(byte[] bytes)
    {
        var last = Math.Max(0, bytes.Length - 1);
        return Gen.OneOf(
            Gen.Select(Gen.Int[0, last], Gen.Byte[1, 255], (at, mask) => Replaced(bytes, at, b => (byte)(b ^ mask))),
            Gen.Select(Gen.Int[0, last], Gen.Byte, (at, value) => Replaced(bytes, at, _ => value)),
            Gen.Int[0, last].Select(length => bytes[..length]),
            Noise.Select(tail => (byte[])[.. bytes, .. tail]),
            Gen.Select(Gen.Int[0, bytes.Length], Noise, (at, inserted) => (byte[])[.. bytes[..at], .. inserted, .. bytes[at..]]),
            Gen.Select(Gen.Int[0, bytes.Length], Gen.Int[1, 16], (at, length) => (byte[])[.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + length)..]]),
            // A splice: a piece of the encoding copied elsewhere in it, which repeats structure (keys, links, whole members).
            Gen.Select(Gen.Int[0, bytes.Length], Gen.Int[0, bytes.Length], Gen.Int[1, 64], (from, to, length) =>
                (byte[])[.. bytes[..to], .. bytes.AsSpan(from, Math.Min(length, bytes.Length - from)), .. bytes[to..]]));
    }

    private static byte[] Replaced(byte[] bytes, int at, Func<byte, byte> replace)
    {
        if (bytes.Length == 0)
            return bytes;
        var copy = (byte[])bytes.Clone();
        copy[at] = replace(copy[at]);
        return copy;
    }
}
