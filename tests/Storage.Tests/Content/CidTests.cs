using System.Text;
using MlAspire.Storage.Content;

namespace MlAspire.Storage.Tests.Content;

public class CidTests
{
    // Known values: `ipfs block put` of "hello world" (raw) is bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e.
    [Fact]
    public void Raw_cids_match_what_ipfs_computes()
    {
        var cid = Cid.Compute(ContentCodec.Raw, Encoding.UTF8.GetBytes("hello world"));
        Assert.Equal("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", cid.ToString());
    }

    [Fact]
    public void Dag_json_cids_have_the_bagu_prefix_and_round_trip()
    {
        var cid = Cid.Compute(ContentCodec.DagJson, "{}"u8);
        Assert.StartsWith("baguqee", cid.ToString());
        var parsed = Cid.Parse(cid.ToString());
        Assert.Equal(cid, parsed);
        Assert.Equal(cid.GetHashCode(), parsed.GetHashCode());
        Assert.True(parsed.Matches("{}"u8));
        Assert.False(parsed.Matches("[]"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Qmabc")]
    [InlineData("b!!!")]
    [InlineData("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")] // dag-cbor: not a codec used here
    [InlineData("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36")] // truncated
    public void Anything_else_is_refused_with_a_reason(string text)
    {
        Assert.False(Cid.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => Cid.Parse(text));
    }
}
