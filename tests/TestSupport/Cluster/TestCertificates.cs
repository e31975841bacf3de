namespace MlAspire.Integration.Tests;

/// <summary>
/// A CA and certificates made by the operators' own script, deploy/tls/grpc-certs.sh (openssl), in a folder removed
/// with this object: the files a service is given are the files an operator would give it.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly string Script = Path.Combine(Repository.Root, "deploy", "tls", "grpc-certs.sh");

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mlaspire-tls-").FullName;
        SystemCommand.Run("bash", Script, "ca", Directory);
    }

    /// <summary>Holds ca.crt, ca.key and one folder per issued certificate.</summary>
    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    /// <summary>Issues <paramref name="name"/>'s certificate for <paramref name="hosts"/> (DNS names or IP addresses); its folder holds tls.crt, tls.key and ca.crt.</summary>
    public string Issue(string name, params string[] hosts)
    {
        SystemCommand.Run(["bash", Script, "issue", Directory, name, .. hosts]);
        return Path.Combine(Directory, name);
    }

    /// <summary>The variables that make a service serve its "grpc" endpoint at <paramref name="url"/> with <paramref name="name"/>'s certificate and trust this CA.</summary>
    public Dictionary<string, string> ServerSettings(string name, string url) => new()
    {
        ["Kestrel__Endpoints__grpc__Url"] = url,
        ["Kestrel__Endpoints__grpc__Certificate__Path"] = Path.Combine(Directory, name, "tls.crt"),
        ["Kestrel__Endpoints__grpc__Certificate__KeyPath"] = Path.Combine(Directory, name, "tls.key"),
        ["Tls__CaFile"] = CaFile,
    };

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
