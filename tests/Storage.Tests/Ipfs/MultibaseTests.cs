using System.Text;
using MlAspire.Storage.Ipfs;

namespace MlAspire.Storage.Tests.Ipfs;

public sealed class MultibaseTests
{
    [Fact]
    public void Base58btc_cids_and_cidv0s_become_base32_and_others_stay_as_they_are()
    {
        // The same raw block as js-ipfs wrote it in block/stat (base58btc) and in block/put (base32).
        Assert.Equal(
            "bafkreif44wtqaobgmfzyc7e4rqbanzdqqp2w6vtdhspqolio46biyxhcm4",
            Multibase.CidToBase32("zb2rhjMewq2yV2p4nQed7o4HqnDNuiKrcY2a54dTAakd6rq9Y"));
        // A CIDv0 is the dag-pb CIDv1 of its multihash: the empty UnixFS directory, as `ipfs cid base32` writes it.
        Assert.Equal("bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354", Multibase.CidToBase32("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn"));
        Assert.Equal("bafkreif44wtqaobgmfzyc7e4rqbanzdqqp2w6vtdhspqolio46biyxhcm4", Multibase.CidToBase32("bafkreif44wtqaobgmfzyc7e4rqbanzdqqp2w6vtdhspqolio46biyxhcm4"));
    }

    [Fact]
    public void Base64url_round_trips_with_the_u_prefix_and_no_padding()
    {
        // Values js-ipfs sent for the topic "test-topic" and the data "hello pubsub".
        Assert.Equal("udGVzdC10b3BpYw", Multibase.EncodeBase64Url(Encoding.UTF8.GetBytes("test-topic")));
        Assert.Equal("hello pubsub", Encoding.UTF8.GetString(Multibase.DecodeBase64Url("uaGVsbG8gcHVic3Vi")));
        Assert.Equal([0xfb, 0xff], Multibase.DecodeBase64Url("u-_8"));
        Assert.Throws<FormatException>(() => Multibase.DecodeBase64Url("aGVsbG8"));
    }
}
