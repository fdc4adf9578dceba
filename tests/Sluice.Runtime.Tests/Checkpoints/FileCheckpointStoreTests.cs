using Sluice.Runtime.Tests.Support;

namespace Sluice.Runtime.Tests.Checkpoints;

public class FileCheckpointStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_missing_checkpoint_loads_as_null_and_commits_round_trip()
    {
        using var store = new FileCheckpointStore(Path.Combine(_temp.Path, "nested"));
        Assert.Null(await store.LoadAsync("orders", "p0"));

        await store.CommitAsync("orders", "p0", 10);
        await store.CommitAsync("orders", "p0", 25);
        await store.CommitAsync("orders", "p1", 3);

        Assert.Equal(25, await store.LoadAsync("orders", "p0"));
        Assert.Equal(3, await store.LoadAsync("orders", "p1"));
        Assert.Equal(25, await new FileCheckpointStore(store.Directory).LoadAsync("orders", "p0"));
    }

    [Fact]
    public async Task Commits_leave_no_temporary_files_and_files_are_owner_only()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        for (var i = 0; i < 5; i++)
        {
            await store.CommitAsync("p", "q", i);
        }

        var file = Assert.Single(Directory.GetFiles(_temp.Path));
        Assert.Equal(store.GetPath("p", "q"), file);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Names_are_escaped_into_distinct_safe_file_names()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var a = store.GetPath("a@b", "c");
        var b = store.GetPath("a", "b@c");
        var traversal = store.GetPath("../../etc", "x/y");
        Assert.NotEqual(a, b);
        Assert.Equal(_temp.Path, Path.GetDirectoryName(traversal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"pipeline\":")]
    [InlineData("null")]
    [InlineData("[1,2]")]
    public async Task A_corrupt_checkpoint_throws_naming_the_file_and_is_left_untouched(string content)
    {
        using var store = new FileCheckpointStore(_temp.Path);
        var path = store.GetPath("orders", "p0");
        await File.WriteAllTextAsync(path, content);

        var error = await Assert.ThrowsAsync<CorruptFileException>(async () => await store.LoadAsync("orders", "p0"));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task A_checkpoint_of_another_pipeline_or_a_negative_position_is_corrupt()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        await store.CommitAsync("other", "p0", 5);
        File.Copy(store.GetPath("other", "p0"), store.GetPath("orders", "p0"));
        var misplaced = await Assert.ThrowsAsync<CorruptFileException>(async () => await store.LoadAsync("orders", "p0"));
        Assert.Contains("other", misplaced.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(store.GetPath("neg", "p0"), "{\"pipeline\":\"neg\",\"partition\":\"p0\",\"position\":-4}");
        await Assert.ThrowsAsync<CorruptFileException>(async () => await store.LoadAsync("neg", "p0"));
    }

    [Fact]
    public async Task A_pipeline_refuses_to_start_on_a_corrupt_checkpoint()
    {
        using var store = new FileCheckpointStore(_temp.Path);
        await File.WriteAllTextAsync(store.GetPath("orders", SluicePipeline.CheckpointPartition), "garbage");
        var handled = 0;
        await Assert.ThrowsAsync<CorruptFileException>(() => SluicePipeline.From(Enumerable.Range(0, 10))
            .WithName("orders")
            .WithCheckpoints(store)
            .RunAsync((_, _) => { handled++; return ValueTask.CompletedTask; }));
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task Bad_arguments_are_rejected_by_name()
    {
        Assert.Equal("directory", Assert.Throws<ArgumentNullException>(() => new FileCheckpointStore(null!)).ParamName);
        Assert.Equal("directory", Assert.Throws<ArgumentException>(() => new FileCheckpointStore("")).ParamName);
        using var store = new FileCheckpointStore(_temp.Path);
        Assert.Equal("pipeline", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.LoadAsync(null!, "p"))).ParamName);
        Assert.Equal("partition", (await Assert.ThrowsAsync<ArgumentException>(async () => await store.CommitAsync("p", " ", 1))).ParamName);
        var position = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.CommitAsync("p", "q", -1));
        Assert.Equal("position", position.ParamName);
    }
}

public class DirectorySyncTests
{
    [Fact]
    public void A_directory_can_be_flushed_and_a_missing_one_is_reported()
    {
        using var temp = new TempDirectory();
        Sluice.Utils.DirectorySync.Flush(temp.Path);
        if (!OperatingSystem.IsWindows())
        {
            var error = Assert.Throws<IOException>(() => Sluice.Utils.DirectorySync.Flush(Path.Combine(temp.Path, "missing")));
            Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        }
    }
}
