using System.CommandLine;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>The command tree: <c>sluice runs|dead-letters|checkpoints ...</c>.</summary>
internal static class SluiceCommand
{
    public const int Success = 0;
    public const int Failure = 1;
    public const string StoreVariable = "SLUICE_STORE";
    public const string PostgresVariable = "SLUICE_POSTGRES";

    public static async Task<int> RunAsync(string[] args)
    {
        var console = CreateConsole();
        var root = Build(console);
        var result = root.Parse(args);
        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperatorException e)
        {
            WriteError(console, e.Message, e.Next);
            return Failure;
        }
        catch (System.Data.Common.DbException e)
        {
            WriteError(console, e.Message, PostgresConnection.Next(e));
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // A refusal from the PostgreSQL stores (a schema newer than this tool knows) is about the database, not a path.
            WriteError(console, e.Message, PostgresConnection.Current is { } database
                ? $"Check the database given to --postgres (or {PostgresVariable}), {database.Description}; run with --help for the commands."
                : $"Check the path given to --store (or {StoreVariable}) and that you may read it; run with --help for the commands.");
            return Failure;
        }
    }

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            // Piped into a file or another tool: wide enough that ids and messages are never cut.
            console.Profile.Width = 400;
        }

        return console;
    }

    private static void WriteError(IAnsiConsole console, string message, string? next)
    {
        // A connection string is never printed, whatever the message picked up.
        message = PostgresConnection.Current?.Redact(message) ?? message;
        Console.Error.WriteLine("error: " + message);
        if (next is not null)
        {
            Console.Error.WriteLine("next: " + next);
        }
    }

    private static RootCommand Build(IAnsiConsole console)
    {
        var store = new Option<string?>("--store", "-s")
        {
            Description = $"The store directory (the one given to FileCheckpointStore). Defaults to ${StoreVariable}.",
            Recursive = true,
        };
        var root = new RootCommand("Operate Sluice pipelines: runs, dead letters and checkpoints of a store. Destructive commands are dry runs unless --yes is given.");
        root.Options.Add(store);
        var options = new CommonOptions(store);
        root.Options.Add(options.Postgres);
        root.Options.Add(options.PostgresSchema);
        root.Subcommands.Add(RunsCommands.Build(options, console));
        root.Subcommands.Add(DeadLetterCommands.Build(options, console));
        root.Subcommands.Add(CheckpointCommands.Build(options, console));
        root.Subcommands.Add(RabbitMqCommands.Build(options, console));
        return root;
    }
}

/// <summary>Options several commands share, and how they open the store.</summary>
internal sealed class CommonOptions(Option<string?> store)
{
    public Option<string?> Store { get; } = store;

    public Option<string?> Instance { get; } = new("--instance", "-i") { Description = "Only this instance (pipeline name, or pipeline@input)." };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON Lines instead of a table, for jq and scripts." };

    public Option<bool> Yes { get; } = new("--yes", "-y") { Description = "Really do it. Without it the command only prints what it would do." };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = $"A PostgreSQL connection string: the database of the pipeline's PostgresCheckpointStore and PostgresDeadLetterSink. Defaults to ${SluiceCommand.PostgresVariable}. Never printed.",
        Recursive = true,
    };

    public Option<string> PostgresSchema { get; } = new("--postgres-schema")
    {
        Description = "The schema of the Sluice tables in that database.",
        DefaultValueFactory = _ => "public",
        Recursive = true,
    };

    public OperatorStore OpenStore(ParseResultView result)
    {
        if (result.GetValue(Store) is not null && result.GetValue(Postgres) is not null)
        {
            throw new OperatorException("both --store and --postgres given.", "Give one: --store for a FileCheckpointStore directory, --postgres for a database.");
        }

        var directory = result.GetValue(Store) ?? Environment.GetEnvironmentVariable(SluiceCommand.StoreVariable);
        if (PostgresConnection.Open(result.GetValue(Postgres), directory) is { } connection)
        {
            return OperatorStore.ForPostgres(connection, result.GetValue(PostgresSchema)!);
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new OperatorException(
                "no store given.",
                $"Pass --store <directory> (the directory the pipeline's FileCheckpointStore uses) or set {SluiceCommand.StoreVariable}; for PostgreSQL, pass --postgres <connection string> or set {SluiceCommand.PostgresVariable}.");
        }

        if (!Directory.Exists(directory))
        {
            throw new OperatorException($"no Sluice store at '{Path.GetFullPath(directory)}'.", "Check the path: it is the directory given to FileCheckpointStore (it holds *.checkpoint.json files and runs/).");
        }

        return OperatorStore.ForDirectory(directory);
    }
}

/// <summary>The parse result, narrowed to what commands read.</summary>
internal readonly struct ParseResultView(System.CommandLine.ParseResult result)
{
    public T? GetValue<T>(Option<T> option) => result.GetValue(option);

    public T? GetValue<T>(Argument<T> argument) => result.GetValue(argument);
}

/// <summary>A failure an operator can act on: what went wrong and what to do next.</summary>
internal sealed class OperatorException(string message, string? next) : Exception(message)
{
    public string? Next { get; } = next;
}
