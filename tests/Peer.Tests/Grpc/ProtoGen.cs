using System.Collections;
using CsCheck;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace MlAspire.Peer.Tests.Grpc;

/// <summary>
/// Random protobuf messages of any type, from its descriptor: every field set or left default, scalars at their
/// extremes (NaN, ±∞, long.MinValue), open enums with unknown numbers, repeated and map fields, nested messages.
/// </summary>
public static class ProtoGen
{
    public static Gen<IMessage> Message(MessageDescriptor descriptor, int depth = 3)
    {
        var setters = Gen.Const(new List<Action<IMessage>>());
        foreach (var field in descriptor.Fields.InDeclarationOrder())
            setters = Gen.Select(setters, Gen.Bool, Setter(field, depth), (list, set, setter) => set ? [.. list, setter] : list);
        return setters.Select(list =>
        {
            var message = (IMessage)Activator.CreateInstance(descriptor.ClrType)!;
            list.ForEach(set => set(message));
            return message;
        });
    }

    private static Gen<Action<IMessage>> Setter(FieldDescriptor field, int depth)
    {
        if (field.IsMap)
        {
            var entry = field.MessageType;
            return Gen.Select(Value(entry.FindFieldByNumber(1), depth), Value(entry.FindFieldByNumber(2), depth)).Array[0, 4]
                .Select(pairs => (Action<IMessage>)(m => { foreach (var (k, v) in pairs) ((IDictionary)field.Accessor.GetValue(m))[k] = v; }));
        }
        if (field.IsRepeated)
            return Value(field, depth).Array[0, 4].Select(values => (Action<IMessage>)(m => { foreach (var v in values) ((IList)field.Accessor.GetValue(m)).Add(v); }));
        return Value(field, depth).Select(value => (Action<IMessage>)(m => field.Accessor.SetValue(m, value)));
    }

    private static Gen<object> Value(FieldDescriptor field, int depth) => field.FieldType switch
    {
        FieldType.Double => Gen.Double.Special.Select(v => (object)v),
        FieldType.Float => Gen.Float.Special.Select(v => (object)v),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Gen.OneOf(Gen.Const(long.MinValue), Gen.Const(long.MaxValue), Gen.Long).Select(v => (object)v),
        FieldType.UInt64 or FieldType.Fixed64 => Gen.ULong.Select(v => (object)v),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Gen.OneOf(Gen.Const(int.MinValue), Gen.Const(-1), Gen.Int).Select(v => (object)v),
        FieldType.UInt32 or FieldType.Fixed32 => Gen.UInt.Select(v => (object)v),
        FieldType.Bool => Gen.Bool.Select(v => (object)v),
        FieldType.String => Gen.Char.Where(c => !char.IsSurrogate(c)).Array[0, 12].Select(v => (object)new string(v)), // protobuf cannot carry a lone surrogate
        FieldType.Bytes => Gen.Byte.Array[0, 64].Select(v => (object)ByteString.CopyFrom(v)),
        FieldType.Enum => Gen.OneOf(Gen.Int[0, 3], Gen.Int).Select(v => Enum.ToObject(field.EnumType.ClrType, v)),
        FieldType.Message when depth > 0 => Message(field.MessageType, depth - 1).Select(v => (object)v),
        FieldType.Message => Gen.Const(() => (object)Activator.CreateInstance(field.MessageType.ClrType)!),
        _ => throw new NotSupportedException($"{field.FullName}: {field.FieldType}"),
    };
}
