using System.Net;
using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Idempotency;

public class IdempotencyKeyTests
{
    [Fact]
    public void Keys_are_deterministic_hex_and_distinguish_every_pair()
    {
        var key = IdempotencyKey.For("orders", "42");
        Assert.Equal(key, IdempotencyKey.For("orders", "42"));
        Assert.Equal(64, key.Length);
        Assert.All(key, c => Assert.True(char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)));
        Assert.NotEqual(key, IdempotencyKey.For("orders", "43"));
        Assert.NotEqual(key, IdempotencyKey.For("invoices", "42"));

        // Plain concatenation would make these equal; the length prefixes keep them apart.
        Assert.NotEqual(IdempotencyKey.For("ab", "c"), IdempotencyKey.For("a", "bc"));
    }

    [Fact]
    public void Bad_arguments_are_rejected_by_name()
    {
        Assert.Equal("pipeline", Assert.Throws<ArgumentNullException>(() => IdempotencyKey.For(null!, "1")).ParamName);
        Assert.Equal("recordKey", Assert.Throws<ArgumentException>(() => IdempotencyKey.For("p", "")).ParamName);
    }
}

public class InMemoryIdempotentSinkTests
{
    [Fact]
    public async Task Replayed_writes_leave_one_record_per_key_and_are_counted()
    {
        var sink = new InMemoryIdempotentSink<Order>(o => o.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await sink.UpsertAsync([new Order(1, "a", 1), new Order(2, "b", 2)]);
        await sink.UpsertAsync([new Order(2, "b", 20), new Order(3, "c", 3)]);

        Assert.Equal(3, sink.Records.Count);
        Assert.Equal(20, sink.Records["2"].Amount);
        Assert.Equal(4, sink.Writes);
        Assert.Equal("keySelector", Assert.Throws<ArgumentNullException>(() => new InMemoryIdempotentSink<Order>(null!)).ParamName);
        Assert.Equal("records", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.UpsertAsync(null!))).ParamName);
    }
}

public class HttpIdempotencyTests
{
    private sealed class CapturingHandler : HttpMessageHandler
    {
        public List<(HttpMethod Method, string? Uri, string? Key, string? Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryGetValues(IdempotencyKey.HeaderName, out var keys);
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri?.ToString(), keys?.Single(), body));
            return new HttpResponseMessage(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task Post_and_patch_carry_the_key_and_the_content_survives_a_retry()
    {
        var handler = new CapturingHandler();
        using var client = new HttpClient(handler) { BaseAddress = new Uri("https://api.example.test/") };
        var key = IdempotencyKey.For("payments", "order-7");
        using var content = new StringContent("{\"amount\":5}");

        using var first = await client.PostWithIdempotencyKeyAsync("payments", content, key);
        using var retry = await client.PostWithIdempotencyKeyAsync("payments", content, key);
        using var patch = await client.PatchWithIdempotencyKeyAsync("payments/7", null, key);
        using var request = new HttpRequestMessage(HttpMethod.Put, "payments/7");
        request.Headers.Add(IdempotencyKey.HeaderName, "stale");
        using var sent = await client.SendWithIdempotencyKeyAsync(request, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(
            [
                (HttpMethod.Post, "https://api.example.test/payments", key, "{\"amount\":5}"),
                (HttpMethod.Post, "https://api.example.test/payments", key, "{\"amount\":5}"),
                (HttpMethod.Patch, "https://api.example.test/payments/7", key, null),
                (HttpMethod.Put, "https://api.example.test/payments/7", key, null),
            ],
            handler.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("line\nbreak")]
    [InlineData("é")]
    public void Keys_that_would_corrupt_the_header_are_rejected(string key)
    {
        using var client = new HttpClient(new CapturingHandler());
        var error = Assert.Throws<ArgumentException>(() => { _ = client.PostWithIdempotencyKeyAsync("https://x.test/", null, key); });
        Assert.Equal("idempotencyKey", error.ParamName);
    }

    [Fact]
    public void Null_and_overlong_arguments_are_rejected()
    {
        using var client = new HttpClient(new CapturingHandler());
        Assert.Equal("client", Assert.Throws<ArgumentNullException>(() => { _ = ((HttpClient)null!).PatchWithIdempotencyKeyAsync("https://x.test/", null, "k"); }).ParamName);
        Assert.Equal("idempotencyKey", Assert.Throws<ArgumentNullException>(() => { _ = client.PostWithIdempotencyKeyAsync("https://x.test/", null, null!); }).ParamName);
        Assert.Equal("idempotencyKey", Assert.Throws<ArgumentException>(() => { _ = client.PostWithIdempotencyKeyAsync("https://x.test/", null, new string('k', 256)); }).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => { _ = client.SendWithIdempotencyKeyAsync(null!, "k"); }).ParamName);
    }
}
