using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary><c>sluice runs list|show</c>.</summary>
internal static class RunsCommands
{
    public static Command Build(CommonOptions common, IAnsiConsole console)
    {
        var runs = new Command("runs", "The run records of the store's pipeline instances.");

        var status = new Option<PipelineRunStatus?>("--status") { Description = "Only runs with this status: Running, Completed, Failed or Canceled." };
        var since = new Option<string?>("--since") { Description = "Only runs started at or after this time: an ISO date/time, 'today', or an age such as 2h or 3d." };
        var list = new Command("list", "List runs, newest first.") { common.Instance, status, since, common.Json };
        list.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            using var store = common.OpenStore(view);
            var from = TimeFilter.Parse(view.GetValue(since), "--since");
            var wanted = view.GetValue(status);
            var rows = new List<PipelineRunRecord>();
            await foreach (var run in store.ListRunsAsync(view.GetValue(common.Instance), token))
            {
                if ((wanted is null || run.Status == wanted) && (from is null || run.StartedAt >= from))
                {
                    rows.Add(run);
                }
            }

            if (view.GetValue(common.Json))
            {
                foreach (var run in rows)
                {
                    Console.Out.WriteLine(JsonSerializer.Serialize(run, CliJson.Default.PipelineRunRecord));
                }

                return SluiceCommand.Success;
            }

            if (rows.Count == 0)
            {
                console.MarkupLine("[grey]No runs match.[/] Runs are recorded by pipelines whose checkpoint store is this directory.");
                return SluiceCommand.Success;
            }

            var table = new Table().AddColumns("Run", "Instance", "Status", "Started (UTC)", "Ended (UTC)", "Read", "Succeeded", "Dead-lettered", "Checkpoint");
            foreach (var run in rows)
            {
                table.AddRow(
                    Markup.Escape(run.RunId),
                    Markup.Escape(run.Instance),
                    StatusMarkup(run.Status),
                    Time(run.StartedAt),
                    run.EndedAt is { } ended ? Time(ended) : "-",
                    Count(run.Read),
                    Count(run.Succeeded),
                    Count(run.DeadLettered),
                    run.Checkpoint?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }

            console.Write(table);
            return SluiceCommand.Success;
        });

        var runId = new Argument<string>("run-id") { Description = "The run id, as `sluice runs list` shows it." };
        var show = new Command("show", "Show one run and what to do about it.") { runId, common.Json };
        show.SetAction(async (result, token) =>
        {
            var view = new ParseResultView(result);
            using var store = common.OpenStore(view);
            var id = view.GetValue(runId)!;
            var run = await store.GetRunAsync(id, token)
                ?? throw new OperatorException($"no run '{id}' in this store.", "List the runs with: sluice runs list");
            if (view.GetValue(common.Json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(run, CliJson.Default.PipelineRunRecord));
                return SluiceCommand.Success;
            }

            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Run", Markup.Escape(run.RunId));
            grid.AddRow("Instance", Markup.Escape(run.Instance));
            grid.AddRow("Pipeline", Markup.Escape(run.Pipeline));
            grid.AddRow("Input", Markup.Escape(run.Input ?? "(none)"));
            grid.AddRow("Status", StatusMarkup(run.Status));
            grid.AddRow("Holder", Markup.Escape(run.Holder ?? "-"));
            grid.AddRow("Started", Time(run.StartedAt));
            grid.AddRow("Ended", run.EndedAt is { } ended ? Time(ended) : "- (still running, or crashed)");
            grid.AddRow("Checkpoint", $"{run.StartCheckpoint} -> {run.Checkpoint?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
            grid.AddRow("Counts", $"read {run.Read}, skipped {run.Skipped}, succeeded {run.Succeeded}, dead-lettered {run.DeadLettered}, retried {run.Retried}");
            grid.AddRow("Dead letters", Markup.Escape(run.DeadLetterLocation ?? "-"));
            grid.AddRow("Error", Markup.Escape(run.Error ?? "-"));
            console.Write(grid);
            console.WriteLine();
            var instance = Quote(run.Instance);
            if (run.DeadLettered > 0)
            {
                console.MarkupLine(Markup.Escape($"Its dead letters: sluice dead-letters list --instance {instance}"));
            }

            if (run.Status == PipelineRunStatus.Completed)
            {
                console.MarkupLine(Markup.Escape($"To process this input again from the start: sluice checkpoints reset --instance {instance} (dry run; add --yes)"));
            }
            else if (run.Status is PipelineRunStatus.Failed or PipelineRunStatus.Canceled)
            {
                console.MarkupLine(Markup.Escape("Running the job again resumes this instance after its checkpoint."));
            }

            return SluiceCommand.Success;
        });

        runs.Subcommands.Add(list);
        runs.Subcommands.Add(show);
        return runs;
    }

    internal static string Quote(string value) => value.Contains(' ', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal)
        ? "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
        : value;

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string StatusMarkup(PipelineRunStatus status) => status switch
    {
        PipelineRunStatus.Completed => "[green]Completed[/]",
        PipelineRunStatus.Failed => "[red]Failed[/]",
        PipelineRunStatus.Canceled => "[yellow]Canceled[/]",
        _ => "[blue]Running[/]",
    };
}
