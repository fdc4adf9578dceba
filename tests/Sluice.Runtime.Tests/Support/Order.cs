namespace Sluice.Runtime.Tests.Support;

public sealed record Order(int Id, string Customer, decimal Amount);
