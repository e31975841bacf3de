using MlAspire.Storage.Membership;

namespace MlAspire.Storage.Tests.Membership;

public class JoinTokenCheckTests
{
    [Theory]
    [InlineData(null, JoinTokenVerdict.Missing)]
    [InlineData("Basic c2VjcmV0", JoinTokenVerdict.Missing)]
    [InlineData("Bearer secre", JoinTokenVerdict.Rejected)]
    [InlineData("Bearer secret2", JoinTokenVerdict.Rejected)]
    [InlineData("Bearer secret", JoinTokenVerdict.Admitted)]
    [InlineData("bearer  secret ", JoinTokenVerdict.Admitted)]
    public void A_bearer_header_is_admitted_only_with_the_token(string? header, JoinTokenVerdict verdict) =>
        Assert.Equal(verdict, new JoinTokenCheck("secret").Check(header));

    [Fact]
    public void Without_a_token_the_network_is_open() =>
        Assert.Equal(JoinTokenVerdict.Admitted, new JoinTokenCheck(null).Check(null));
}
