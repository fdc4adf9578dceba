using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// An editor's view: csharp-ls (the repository's local tool, dotnet-tools.json) opens a consumer project installed from
/// the packed packages, with Roslyn analyzers on (its <c>csharp.analyzersEnabled</c> setting, which it reads through
/// <c>workspace/configuration</c>), and reports Sluice's diagnostics for an opened document over LSP.
/// </summary>
public sealed class LanguageServerTests(PackedPackages packages, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    /// <summary>How long the diagnostics may take to arrive after the document is opened, solution load included.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(6);

    private const string ImportSource = """
        using System.IO;

        namespace Consumer;

        public static class Import
        {
            public static int Run(string path)
            {
                var imported = 0;
                foreach (var line in File.ReadAllLines(path))
                {
                    try
                    {
                        imported += int.Parse(line, System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (System.Exception)
                    {
                        continue;
                    }
                }

                return imported;
            }
        }
        """;

    [Fact]
    public async Task Csharp_ls_reports_the_SLU_diagnostics_of_an_opened_document()
    {
        Assert.True(packages.Pack.ExitCode == 0, packages.Pack.ToString());
        var project = ConsumerProject.Create(packages, ConsumerProject.AnalyzersOnly(packages), [("Import.cs", ImportSource)]);
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(project, ".packages"),
            ["DOTNET_CLI_UI_LANGUAGE"] = "en-US",
        };
        var restore = await DotNetCli.RunAsync(project, environment, "restore");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var tool = await DotNetCli.RunAsync(PackedPackages.RepositoryRoot, environment: null, "tool", "restore");
        Assert.True(tool.ExitCode == 0, tool.ToString());

        var root = new Uri(project + Path.DirectorySeparatorChar).AbsoluteUri;
        var document = new Uri(Path.Combine(project, "Import.cs")).AbsoluteUri;
        await using var server = LspClient.Start(
            PackedPackages.RepositoryRoot,
            environment,
            AnswerServer,
            "tool", "run", "csharp-ls", "--", "--loglevel", "info");
        using var timeout = new CancellationTokenSource(Bound);
        var clock = Stopwatch.StartNew();

        await server.RequestAsync(
            "initialize",
            new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["rootUri"] = root,
                ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = root, ["name"] = "consumer" }),
                ["capabilities"] = new JsonObject
                {
                    ["workspace"] = new JsonObject { ["configuration"] = true, ["workspaceFolders"] = true },
                    ["textDocument"] = new JsonObject
                    {
                        ["diagnostic"] = new JsonObject { ["dynamicRegistration"] = true },
                        ["publishDiagnostics"] = new JsonObject(),
                    },
                },
            },
            timeout.Token);
        await server.NotifyAsync("initialized", new JsonObject());
        await server.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = Settings() });
        await server.NotifyAsync(
            "textDocument/didOpen",
            new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = document, ["languageId"] = "csharp", ["version"] = 1, ["text"] = ImportSource },
            });

        // Pull diagnostics until Sluice's arrive: the first answers come before the solution is loaded.
        JsonArray? items = null;
        while (items is null || !items.Any(i => ((string?)i?["code"])?.StartsWith("SLU", StringComparison.Ordinal) == true))
        {
            await Task.Delay(items is null ? TimeSpan.Zero : TimeSpan.FromSeconds(2), timeout.Token);
            try
            {
                var report = await server.RequestAsync(
                    "textDocument/diagnostic",
                    new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = document } },
                    timeout.Token);
                items = report?["items"] as JsonArray ?? [];
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No SLU diagnostic within {Bound}. Last answer: {items?.ToJsonString()}\n{server.Log()}");
            }
        }

        var elapsed = clock.Elapsed;
        output.WriteLine($"csharp-ls reported Sluice's diagnostics {elapsed.TotalSeconds:F0} s after it was started.");
        var sluice = items.Where(i => ((string?)i!["code"])!.StartsWith("SLU", StringComparison.Ordinal)).ToList();

        var swallowed = Assert.Single(sluice, i => (string?)i!["code"] == "SLU201")!;
        AssertRange(swallowed, "catch (System.Exception)");
        Assert.Equal(
            "'catch (System.Exception)' swallows the exception: the loop over the file's lines goes on to the next record, so 'line' is lost and the exception is not rethrown, logged or passed on",
            (string?)swallowed["message"]);
        Assert.Equal(2, (int?)swallowed["severity"]);
        Assert.Equal("https://github.com/sluice-dotnet/sluice/blob/main/docs/rules/SLU201.md", (string?)swallowed["codeDescription"]?["href"]);

        var wholeFile = Assert.Single(sluice, i => (string?)i!["code"] == "SLU102")!;
        AssertRange(wholeFile, "File.ReadAllLines(path)");
        Assert.StartsWith("'path' is read whole into memory by File.ReadAllLines()", (string?)wholeFile["message"], StringComparison.Ordinal);
        Assert.Equal("https://github.com/sluice-dotnet/sluice/blob/main/docs/rules/SLU102.md", (string?)wholeFile["codeDescription"]?["href"]);

        Assert.True(elapsed < Bound, $"took {elapsed}");
    }

    /// <summary>The csharp section of the client's settings: analyzers on (csharp-ls leaves them off by default).</summary>
    private static JsonObject Settings() => new() { ["csharp"] = new JsonObject { ["analyzersEnabled"] = true } };

    /// <summary>The client's side of the server's requests: the settings asked for; nothing else needs an answer.</summary>
    private static JsonNode? AnswerServer(string method, JsonNode? parameters)
    {
        if (method != "workspace/configuration")
        {
            return null;
        }

        var answers = new JsonArray();
        foreach (var item in parameters?["items"]?.AsArray() ?? [])
        {
            answers.Add((string?)item?["section"] switch
            {
                "csharp" => Settings()["csharp"]!.DeepClone(),
                "csharp.analyzersEnabled" => true,
                null => Settings(),
                _ => null,
            });
        }

        return answers;
    }

    /// <summary>The diagnostic's range is exactly <paramref name="text"/> (0-based lines and characters in LSP).</summary>
    private static void AssertRange(JsonNode diagnostic, string text)
    {
        var (line, column) = ConsumerProject.PositionOf(ImportSource, text);
        var range = diagnostic["range"]!;
        Assert.Equal((line - 1, column - 1), ((int)range["start"]!["line"]!, (int)range["start"]!["character"]!));
        Assert.Equal((line - 1, column - 1 + text.Length), ((int)range["end"]!["line"]!, (int)range["end"]!["character"]!));
    }
}
