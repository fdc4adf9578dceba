using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using System.Net;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Sluice.Runtime.Tests.Resilience;

public class TransientClassifierTests
{
    private sealed class FakeDbException(bool transient) : DbException("db")
    {
        public override bool IsTransient => transient;
    }

    public static TheoryData<Exception> TransientFailures() => new()
    {
        new HttpRequestException("no response"),
        new HttpRequestException("bad gateway", null, HttpStatusCode.BadGateway),
        new HttpRequestException("unavailable", null, HttpStatusCode.ServiceUnavailable),
        new HttpRequestException("request timeout", null, HttpStatusCode.RequestTimeout),
        new HttpRequestException("throttled", null, HttpStatusCode.TooManyRequests),
        new TimeoutException(),
        new IOException("pipe broke"),
        new SocketException((int)SocketError.ConnectionReset),
        new FakeDbException(transient: true),
        new TimeoutRejectedException(),
        new BrokenCircuitException(),
        new TaskCanceledException("HttpClient timeout", new TimeoutException()),
        new InvalidOperationException("wrapper", new TimeoutException()),
        new AggregateException(new TimeoutException(), new IOException()),
    };

    public static TheoryData<Exception> PermanentFailures() => new()
    {
        new ArgumentException("bad"),
        new ArgumentNullException("x"),
        new ArgumentOutOfRangeException("x"),
        new ValidationException("invalid"),
        new OperationCanceledException(),
        new TaskCanceledException(),
        new HttpRequestException("not found", null, HttpStatusCode.NotFound),
        new HttpRequestException("bad request", null, HttpStatusCode.BadRequest),
        new HttpRequestException("tls", null, HttpStatusCode.Unauthorized),
        new HttpRequestException(HttpRequestError.SecureConnectionError, "tls"),
        new FileNotFoundException(),
        new DirectoryNotFoundException(),
        new CorruptFileException("checkpoint.json", null, "not json"),
        new FakeDbException(transient: false),
        new InvalidOperationException("unknown"),
        new FormatException(),
        new ArgumentException("wrapper", new TimeoutException()),
        new AggregateException(new TimeoutException(), new ArgumentException()),
        new AggregateException(),
    };

    [Theory]
    [MemberData(nameof(TransientFailures))]
    public void Transient_failures_are_retryable(Exception exception)
        => Assert.True(SluiceResilience.IsTransient(exception), exception.ToString());

    [Theory]
    [MemberData(nameof(PermanentFailures))]
    public void Permanent_failures_and_cancellations_are_not_retryable(Exception exception)
        => Assert.False(SluiceResilience.IsTransient(exception), exception.ToString());

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.GatewayTimeout, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.Conflict, false)]
    [InlineData(HttpStatusCode.OK, false)]
    public void Status_codes_are_classified(HttpStatusCode status, bool expected)
        => Assert.Equal(expected, SluiceResilience.IsTransient(status));

    [Fact]
    public void Null_exception_is_rejected()
    {
        var error = Assert.Throws<ArgumentNullException>(() => SluiceResilience.IsTransient((Exception)null!));
        Assert.Equal("exception", error.ParamName);
    }
}
