namespace MlAspire.Tangle.Learning;

public enum ModelArchitecture : byte
{
    LogisticRegression = 1,
    Mlp = 2,
}

/// <summary>Architecture and dimensions; two weights are compatible only when their shapes are equal.</summary>
public sealed record ModelShape(ModelArchitecture Architecture, int Inputs, int Hidden, int Classes)
{
    public int ParameterCount => Architecture switch
    {
        ModelArchitecture.LogisticRegression => Inputs * Classes + Classes,
        ModelArchitecture.Mlp => Inputs * Hidden + Hidden + Hidden * Classes + Classes,
        _ => throw new InvalidOperationException($"Unknown architecture {Architecture}."),
    };

    public static ModelShape LogisticRegression(int inputs, int classes) => new(ModelArchitecture.LogisticRegression, inputs, 0, classes);

    public static ModelShape Mlp(int inputs, int hidden, int classes) => new(ModelArchitecture.Mlp, inputs, hidden, classes);
}
