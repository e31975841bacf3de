using Xunit.Abstractions;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>What an attack did, line by line: written to the test output as it happens and put in every assertion message.</summary>
public sealed class AttackReport(ITestOutputHelper output)
{
    private readonly List<string> _lines = [];

    public void Note(string line)
    {
        lock (_lines) _lines.Add(line);
        output.WriteLine(line);
    }

    public override string ToString()
    {
        lock (_lines) return string.Join('\n', _lines);
    }
}
