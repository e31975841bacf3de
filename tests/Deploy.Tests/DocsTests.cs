using System.Text.RegularExpressions;
using MlAspire.Integration.Tests;

namespace MlAspire.Deploy.Tests;

/// <summary>docs/k3s.md describes the manifests an operator applies: what it names must be what they run.</summary>
public sealed partial class DocsTests(FreshPublication fresh) : IClassFixture<FreshPublication>
{
    /// <summary>Every image the guide names with a tag (`repository:tag`) is one the manifests run, at that tag, and it names each third-party image.</summary>
    [Fact]
    public void The_image_tags_named_in_the_k3s_guide_are_the_manifests_tags()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "k3s.md"));
        var images = fresh.Manifests.Workloads.SelectMany(workload => workload.Containers).Select(container => (string)container["image"]!)
            .Where(image => !image.Contains("/mlaspire/", StringComparison.Ordinal)).ToHashSet();
        var named = TaggedImage().Matches(guide).Select(match => match.Groups[1].Value).ToHashSet();
        var repositories = images.Select(RepositoryOf).ToHashSet();
        foreach (var image in named.Where(image => repositories.Contains(RepositoryOf(image))))
            Assert.True(images.Contains(image), $"docs/k3s.md names {image}; the manifests run {string.Join(", ", images.Where(candidate => RepositoryOf(candidate) == RepositoryOf(image)))}");
        Assert.Equal(images.Order(), named.Where(image => repositories.Contains(RepositoryOf(image))).Order());

        static string RepositoryOf(string image) => image[..image.LastIndexOf(':')];
    }

    [GeneratedRegex(@"`([a-z0-9][a-z0-9./-]*/[a-z0-9._-]+:v?\d[\w.-]*)`")]
    private static partial Regex TaggedImage();
}
