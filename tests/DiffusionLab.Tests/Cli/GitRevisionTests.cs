using DiffusionLab.Cli;

namespace DiffusionLab.Tests.Cli;

public class GitRevisionTests
{
    [Fact]
    public void TheBuildsRevisionIsMarkedWhenItsSourceHadUncommittedChanges()
    {
        const string version = "1.0.0+1355198abcdef0123456789";
        Assert.Equal("1355198", GitRevision.OfBuild(version, "0"));
        Assert.Equal("1355198", GitRevision.OfBuild(version, null));
        Assert.Equal("1355198 (built with uncommitted changes in src/ or experiments/)", GitRevision.OfBuild(version, "3"));
        Assert.Null(GitRevision.OfBuild("1.0.0", "3"));
    }

    [Fact]
    public void ThisBuildRecordedWhetherItsSourceWasCommitted()
    {
        // The test project builds difflab from a git checkout: the count of uncommitted files is in its metadata.
        var recorded = typeof(GitRevision).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "UncommittedSource");
        Assert.NotNull(recorded);
        Assert.True(int.TryParse(recorded.Value, out int count) && count >= 0, $"UncommittedSource={recorded.Value}");
    }

    [Fact]
    public void AResultsRevisionIsTheBuildsMarkedOnlyByConfigEditsAtRunTime()
    {
        // The tests run inside the checkout: whatever its state, a result names the build's revision first.
        string run = GitRevision.OfRun(), build = GitRevision.OfBuild();
        Assert.StartsWith(build, run);
        Assert.True(run == build || run == build + " (run with uncommitted changes in experiments/)", run);
    }
}
