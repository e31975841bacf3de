using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Secrets given as files (a mounted Secret, a token file on a machine outside the cluster) rather than in the
/// environment, where every process of the user and the process listing's readers can see them.
/// </summary>
public static class SecretFileSettings
{
    /// <summary>
    /// When "<paramref name="key"/>File" names a file, its content (without the trailing line break) becomes the value of
    /// <paramref name="key"/>; a missing or empty file stops the service with the reason. Both set is refused: which wins
    /// would be a guess.
    /// </summary>
    public static void ReadSecretFile(this IConfigurationManager configuration, string key)
    {
        if (configuration[key + "File"] is not { Length: > 0 } path)
            return;
        if (configuration[key] is { Length: > 0 })
            throw new InvalidOperationException($"Both {key} and {key}File are set; set one.");
        string value;
        try
        {
            value = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{key}File '{path}' cannot be read: {e.Message}", e);
        }
        if (value.Length == 0)
            throw new InvalidOperationException($"{key}File '{path}' is empty.");
        configuration[key] = value;
    }
}
