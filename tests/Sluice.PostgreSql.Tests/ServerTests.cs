using Sluice.PostgreSql.Tests.Support;

namespace Sluice.PostgreSql.Tests;

public class ServerTests
{
    [SkippableFact]
    public async Task The_test_server_answers_on_loopback_and_gives_each_test_a_schema_of_its_own()
    {
        await using var db = await TestDatabase.CreateAsync();
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT 1"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{db.Schema}'"));
        Assert.Equal("127.0.0.1", (await db.ScalarAsync<System.Net.IPAddress>("SELECT inet_server_addr()")).ToString());
    }
}
