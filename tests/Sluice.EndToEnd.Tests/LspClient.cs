using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Sluice.EndToEnd.Tests;

/// <summary>
/// A language-server client over stdio: JSON-RPC messages framed by Content-Length headers. Answers the server's own
/// requests with <c>onRequest</c> and keeps everything the server says for the failure messages.
/// </summary>
public sealed class LspClient : IAsyncDisposable
{
    private readonly Process process;
    private readonly Func<string, JsonNode?, JsonNode?> onRequest;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> pending = new();
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly StringBuilder log = new();
    private readonly Task reader;
    private readonly Task errorReader;
    private int nextId;

    private LspClient(Process process, Func<string, JsonNode?, JsonNode?> onRequest)
    {
        this.process = process;
        this.onRequest = onRequest;
        reader = Task.Run(ReadLoopAsync);
        errorReader = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                Log("stderr: " + line);
            }
        });
    }

    /// <summary>What the server printed and sent, for a failure message.</summary>
    public string Log()
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    /// <summary>Starts the server as <c>dotnet arguments...</c> in <paramref name="workingDirectory"/>.</summary>
    public static LspClient Start(string workingDirectory, IReadOnlyDictionary<string, string> environment, Func<string, JsonNode?, JsonNode?> onRequest, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new LspClient(Process.Start(start)!, onRequest);
    }

    public async Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref nextId);
        var response = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = response;
        await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        using var registration = cancellationToken.Register(() => response.TrySetCanceled(cancellationToken));
        return await response.Task;
    }

    public Task NotifyAsync(string method, JsonNode? parameters)
        => SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private async Task SendAsync(JsonObject message)
    {
        var body = Encoding.UTF8.GetBytes(message.ToJsonString());
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await writeLock.WaitAsync();
        try
        {
            var stream = process.StandardInput.BaseStream;
            await stream.WriteAsync(header);
            await stream.WriteAsync(body);
            await stream.FlushAsync();
        }
        finally
        {
            writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var stream = process.StandardOutput.BaseStream;
        try
        {
            while (await ReadMessageAsync(stream) is { } message)
            {
                var method = (string?)message["method"];
                var id = message["id"];
                if (method is not null && id is not null)
                {
                    Log("server request: " + method);
                    JsonNode? result;
                    try
                    {
                        result = onRequest(method, message["params"]);
                    }
                    catch (Exception ex)
                    {
                        Log("client failed to answer " + method + ": " + ex);
                        result = null;
                    }

                    await SendAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result });
                }
                else if (method is not null)
                {
                    if (method is "window/logMessage" or "window/showMessage")
                    {
                        Log("server: " + (string?)message["params"]?["message"]);
                    }
                }
                else if (id is not null && pending.TryRemove((int)id, out var response))
                {
                    if (message["error"] is { } error)
                    {
                        response.TrySetException(new InvalidOperationException("The server answered with an error: " + error.ToJsonString()));
                    }
                    else
                    {
                        response.TrySetResult(message["result"]);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Log("read loop ended: " + ex.Message);
        }

        foreach (var response in pending.Values)
        {
            response.TrySetException(new InvalidOperationException("The server closed its output.\n" + Log()));
        }
    }

    private static async Task<JsonNode?> ReadMessageAsync(Stream stream)
    {
        var length = -1;
        while (true)
        {
            var line = await ReadHeaderLineAsync(stream);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return JsonNode.Parse(body);
    }

    private static async Task<string?> ReadHeaderLineAsync(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }
    }

    private void Log(string line)
    {
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await RequestAsync("shutdown", null, shutdown.Token);
            await NotifyAsync("exit", null);
            await process.WaitForExitAsync(shutdown.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
            // A server that does not shut down cleanly is stopped below.
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await Task.WhenAny(Task.WhenAll(reader, errorReader), Task.Delay(TimeSpan.FromSeconds(5)));
        process.Dispose();
        writeLock.Dispose();
    }
}
