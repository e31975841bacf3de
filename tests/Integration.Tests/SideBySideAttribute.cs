namespace MlAspire.Integration.Tests;

/// <summary>
/// Marks a test class that runs in its own collection, two at a time, instead of alone (<see cref="RunsAlone"/>). Only
/// for tests whose time is mostly fixed windows spent waiting on a light cluster, and whose checks compare the system
/// with itself within the test, so that a neighbouring test's load moves both sides: the attack tests' two honest
/// peers train a logistic regression every 300 ms, about a fifth of a core once started, and compare their accuracy
/// under attack with their own just before. Four of them took 280 s of CI's 30 minutes one after another.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SideBySideAttribute : Attribute;
