namespace DiffusionLab.Tests.Cli;

public class EvaluatorsCommandTests
{
    [Theory]
    [InlineData("evaluators")]
    [InlineData("evaluators", "fit")]
    [InlineData("evaluators", "train", "--which", "faces")]
    [InlineData("evaluators", "train", "--images", "0")]
    [InlineData("evaluators", "train", "--epochs", "two")]
    [InlineData("evaluators", "train", "--seed", "-1")]
    [InlineData("evaluators", "train", "--check-images", "1")]
    [InlineData("evaluators", "train", "--lr", "1")]
    [InlineData("evaluators", "check", "--images", "1")]
    [InlineData("evaluators", "check", "--weights", "/no/such/folder")]
    [InlineData("evaluators", "check", "--which", "identity")]
    public void Bad_options_are_one_line_and_exit_2(params string[] args)
    {
        var (code, _, err) = CliHarness.Difflab(args);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("difflab: ", err);
    }
}
