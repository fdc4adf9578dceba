using System.Reflection;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// A consumer on Polly v7's <c>Policy</c> API (the real Polly package, restored from the machine's packages folder):
/// the retry rules read its policies as they read Polly v8 pipelines.
/// </summary>
public sealed partial class ConsumerTests
{
    private const string PolicySource = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using Polly;

        public static class Sync
        {
            public static async Task<string> PullAsync(HttpClient http, string url)
            {
                var retry = Policy.Handle<Exception>()
                    .WaitAndRetryAsync(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2) });
                return await retry.ExecuteAsync(() => http.GetStringAsync(url));
            }

            public static async Task PushAsync(HttpClient http, string url, string body)
            {
                var retry = Policy.Handle<HttpRequestException>().RetryAsync(3);
                await retry.ExecuteAsync(() => http.PostAsync(url, new StringContent(body)));
            }

            public static IAsyncPolicy Forever()
                => Policy.Handle<HttpRequestException>().WaitAndRetryForeverAsync(n => TimeSpan.FromSeconds(Math.Pow(2, n)));

            public static async Task<string> BoundedAsync(HttpClient http, string url)
            {
                var retry = Policy.Handle<HttpRequestException>().WaitAndRetryAsync(3, n => TimeSpan.FromSeconds(Math.Pow(2, n)));
                var timeout = Policy.TimeoutAsync(TimeSpan.FromSeconds(10));
                return await Policy.WrapAsync(retry, timeout).ExecuteAsync(() => http.GetStringAsync(url));
            }
        }
        """;

    private static string PollyVersion { get; } = typeof(ConsumerTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(attribute => attribute.Key == "PollyVersion").Value!;

    [Fact]
    public async Task A_consumer_on_Polly_v7_gets_the_retry_findings_at_its_policies()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = CreateLibraryConsumer("Polly", PollyVersion, "<SluiceAnalysisMode>All</SluiceAnalysisMode>", ("Sync.cs", PolicySource));
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, ".packages") };
        var expected = new[]
        {
            (Id: "SLU403", Position: PositionOf(PolicySource, "Handle<Exception>()"), Message: "'Handle<Exception>()' retries every exception"),
            (Id: "SLU404", Position: PositionOf(PolicySource, "WaitAndRetryAsync(new[]"), Message: "This retry waits a constant delay with no jitter"),
            (Id: "SLU304", Position: PositionOf(PolicySource, "WaitAndRetryAsync(new[]"), Message: "This retry has no timeout inside it"),
            (Id: "SLU304", Position: PositionOf(PolicySource, "RetryAsync(3)"), Message: "This retry has no timeout inside it"),
            (Id: "SLU401", Position: PositionOf(PolicySource, "http.PostAsync("), Message: "'HttpClient.PostAsync' runs again on every retry of this Polly retry policy's ExecuteAsync"),
            (Id: "SLU405", Position: PositionOf(PolicySource, "WaitAndRetryForeverAsync"), Message: "This Polly 'WaitAndRetryForeverAsync' policy retries forever"),
        };

        var build = await DotNetCli.RunAsync(project, environment, "build", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.ToString());
        foreach (var (id, position, message) in expected)
        {
            Assert.Contains($"Sync.cs{position}: warning {id}: {message}", build.Output, StringComparison.Ordinal);
        }

        // The bounded policy with a timeout wrapped inside its retry, on an exponential schedule, draws none of them.
        var bounded = Array.FindIndex(PolicySource.Split('\n'), line => line.Contains("BoundedAsync", StringComparison.Ordinal)) + 1;
        foreach (var id in new[] { "SLU304", "SLU403", "SLU404", "SLU405" })
        {
            for (var line = bounded; line <= bounded + 5; line++)
            {
                Assert.DoesNotContain($"Sync.cs({line},", FindingsOf(build.Output, id), StringComparison.Ordinal);
            }
        }
    }

    private static string FindingsOf(string output, string id)
        => string.Join('\n', output.Split('\n').Where(line => line.Contains($": warning {id}:", StringComparison.Ordinal)));
}
