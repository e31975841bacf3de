namespace MlAspire.Integration.Tests;

/// <summary>
/// The collection of the test classes that run one at a time. xUnit runs a collection that disables parallelization
/// alone, after every collection that may run in parallel (<see cref="SideBySideAttribute"/>) has finished.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
