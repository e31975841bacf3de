using System.Reflection;

namespace MlAspire.Integration.Tests;

/// <summary>
/// Every test class here says how it is scheduled: alone (<see cref="RunsAlone"/>) or side by side
/// (<see cref="SideBySideAttribute"/>). xUnit's default would run a class that says neither beside any other.
/// </summary>
[SideBySide]
public sealed class TestSchedulingTests
{
    [Fact]
    public void Every_test_class_runs_alone_or_is_marked_side_by_side()
    {
        var testClasses = typeof(TestSchedulingTests).Assembly.GetTypes()
            .Where(type => type.GetMethods().Any(method => method.GetCustomAttributes<FactAttribute>().Any()))
            .ToList();
        Assert.Contains(typeof(PartitionTests), testClasses); // the search finds test classes at all

        var unscheduled = testClasses.Where(type =>
            RunsAloneCollection(type) == type.GetCustomAttributes<SideBySideAttribute>().Any()).Select(type => type.Name).ToList();
        Assert.True(unscheduled.Count == 0,
            $"each test class needs exactly one of [Collection(RunsAlone.Name)] and [SideBySide]: {string.Join(", ", unscheduled)}");
    }

    private static bool RunsAloneCollection(Type type) =>
        type.GetCustomAttributesData().Any(attribute =>
            attribute.AttributeType == typeof(CollectionAttribute) && attribute.ConstructorArguments is [{ Value: RunsAlone.Name }]);
}
