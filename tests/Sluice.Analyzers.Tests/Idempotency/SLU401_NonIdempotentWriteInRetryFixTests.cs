using Sluice.Analyzers.Idempotency;
using Sluice.Analyzers.Tests.Harness;
using Sluice.CodeFixes.Idempotency;

namespace Sluice.Analyzers.Tests.Idempotency;

public class SLU401_NonIdempotentWriteInRetryFixTests
{
    private const string Usings = """
        using System;
        using System.Net.Http;
        using System.Net.Http.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Polly;

        """;

    private const string Payment = """

        class Payment
        {
            public int Id { get; set; }

            public decimal Amount { get; set; }
        }
        """;

    private static RuleTest Fix(string key, string source, string fixedSource)
        => Verify.CodeFix<NonIdempotentWriteInRetryAnalyzer, NonIdempotentWriteInRetryCodeFix>(key)
            .WithSource(source)
            .WithFixedSource(fixedSource)
            .WithLibraries(Library.Polly, Library.SluiceRuntime);

    private static RuleTest NoFix(string source, params Library[] libraries)
        => Verify.CodeFix<NonIdempotentWriteInRetryAnalyzer, NonIdempotentWriteInRetryCodeFix>()
            .WithSource(source)
            .WithLibraries([Library.Polly, .. libraries])
            .ExpectNoFix();

    [Fact]
    public Task PostAsync_and_PatchAsync_become_the_runtime_helpers_with_a_key_from_the_record_and_fix_all()
        => Fix(NonIdempotentWriteInRetryCodeFix.WithIdempotencyKeyKey, Usings + """
            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var content = JsonContent.Create(payment);
                        await [|client.PostAsync("/payments", content, ct)|];
                        await [|client.PatchAsync($"/payments/{payment.Id}", JsonContent.Create(new { payment.Amount }))|];
                    }, token);
                }
            }
            """ + Payment, """
            using System;
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Threading;
            using System.Threading.Tasks;
            using Polly;
            using Sluice;

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment, CancellationToken token)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        using var content = JsonContent.Create(payment);
                        await client.PostWithIdempotencyKeyAsync("/payments", content, IdempotencyKey.For("Payments.PayAsync", payment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
                        await client.PatchWithIdempotencyKeyAsync($"/payments/{payment.Id}", JsonContent.Create(new { payment.Amount }), IdempotencyKey.For("Payments.PayAsync", payment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    }, token);
                }
            }
            """ + Payment)
            .RunAsync();

    [Fact]
    public Task A_POST_request_local_gets_the_header_after_its_declaration()
        => Fix(NonIdempotentWriteInRetryCodeFix.IdempotencyKeyHeaderKey, Usings + """
            using Sluice;

            class Payments
            {
                Task<HttpResponseMessage> PayAsync(HttpClient client, Order order)
                    => SluiceResilience.RetryAsync(async ct =>
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(order) };
                        return await [|client.SendAsync(request, ct)|];
                    });
            }

            class Order { public Guid OrderId { get; set; } }
            """, Usings + """
            using Sluice;

            class Payments
            {
                Task<HttpResponseMessage> PayAsync(HttpClient client, Order order)
                    => SluiceResilience.RetryAsync(async ct =>
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(order) };
                        request.Headers.Add(IdempotencyKey.HeaderName, IdempotencyKey.For("Payments.PayAsync", order.OrderId.ToString()));
                        return await client.SendAsync(request, ct);
                    });
            }

            class Order { public Guid OrderId { get; set; } }
            """).RunAsync();

    [Fact]
    public Task No_fix_without_the_runtime()
        => NoFix(Usings + """
            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct => await [|client.PostAsync("/payments", JsonContent.Create(payment), ct)|]);
                }
            }
            """ + Payment).RunAsync();

    [Fact]
    public Task No_fix_without_exactly_one_keyed_record_from_outside_the_retry_or_for_other_shapes()
        => NoFix(Usings + """
            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, HttpClient client, Payment payment, Payment other, string body, Uri uri)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await [|client.PostAsync("/payments", new StringContent(body), ct)|];
                        await [|client.PostAsync("/payments", JsonContent.Create(new[] { payment, other }), ct)|];
                        var fresh = new Payment();
                        await [|client.PostAsync("/payments", JsonContent.Create(fresh), ct)|];
                        await [|client.PostAsync(uri, JsonContent.Create(payment), ct)|];
                        await [|client.PostAsJsonAsync("/payments", payment, ct)|];
                        await [|client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(payment) }, ct)|];
                        [|System.IO.File.AppendAllText("log", "x")|];
                    });
                }
            }
            """ + Payment, Library.SluiceRuntime).RunAsync();

    [Fact]
    public Task No_fix_for_SQL_or_EF_writes()
        => NoFix("""
            using System.Data;
            using System.Threading.Tasks;
            using Dapper;
            using Polly;

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, IDbConnection connection, Sluice.IIdempotentSink<Payment> sink, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await [|connection.ExecuteAsync("INSERT INTO payments (id, amount) VALUES (@Id, @Amount)", payment)|];
                    });
                }
            }
            """ + Payment, Library.SluiceRuntime, Library.Dapper).RunAsync();

    // ---- Unusual shapes ---------------------------------------------------------------------------

    [Fact]
    public Task A_client_reached_through_a_conditional_access_gets_the_runtime_helper()
        => Fix(NonIdempotentWriteInRetryCodeFix.WithIdempotencyKeyKey, Usings + """
            class Holder
            {
                public HttpClient Client { get; } = new();
            }

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, Holder? holder, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await holder?[|.Client.PostAsync("/payments", JsonContent.Create(payment), ct)|];
                    });
                }
            }
            """ + Payment, """
            using System;
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Threading;
            using System.Threading.Tasks;
            using Polly;
            using Sluice;

            class Holder
            {
                public HttpClient Client { get; } = new();
            }

            class Payments
            {
                async Task PayAsync(ResiliencePipeline pipeline, Holder? holder, Payment payment)
                {
                    await pipeline.ExecuteAsync(async ct =>
                    {
                        await holder?.Client.PostWithIdempotencyKeyAsync("/payments", JsonContent.Create(payment), IdempotencyKey.For("Payments.PayAsync", payment.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
                    });
                }
            }
            """ + Payment)
            .RunAsync();
}
