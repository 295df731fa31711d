using DiffusionLab.StoryDiffusion;
using DiffusionLab.Studies;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;

namespace DiffusionLab.Tests.StoryDiffusion;

/// <summary>The story study: procedural stories, the judged table per method, the report files.</summary>
public class StoryStudyTests
{
    [Fact]
    public void StudyStoriesUseCaptionWordsOnlyAndAskForWhatTheirPanelsSay()
    {
        var tokenizer = new WordTokenizer(DiffusionLab.Data.World.WorldWords.Vocabulary);
        var stories = StudyStory.Generate(5, 6, seed: 3);
        Assert.Equal(5, stories.Select(s => s.Name).Distinct().Count());
        foreach (var study in stories)
        {
            var story = StoryParser.Parse(study.Text, study.Name);
            Assert.Single(story.Characters);
            Assert.Equal(6, story.Panels.Count);
            Assert.Equal(6, study.Intended.Count);
            for (int i = 0; i < 6; i++)
            {
                string prompt = story.Panels[i].Prompt;
                Assert.Empty(tokenizer.UnknownWords(prompt));
                var want = study.Intended[i];
                Assert.Contains(DiffusionLab.Data.World.WorldWords.Of(want.Expression!.Value), prompt);
                Assert.Contains(DiffusionLab.Data.World.WorldWords.Of(want.Clothing!.Value) + " shirt", prompt);
            }
        }
        Assert.Equal(stories.Select(s => s.Text), StudyStory.Generate(5, 6, seed: 3).Select(s => s.Text));
    }

    [Fact]
    public void DifferencesAgainstNoCsaArePairedByStoryAndSeed()
    {
        StoryStudyRow Row(string method, long seed, string story, double similarity) =>
            new(method, seed, story, similarity, 0.5, new Dictionary<string, double>(), 1, 1);
        // Story b is much more similar than story a under both methods: unpaired, that spread would swamp the +0.1.
        var rows = new List<StoryStudyRow>
        {
            Row(StoryStudy.NoCsa, 0, "a", 0.10), Row(StoryStudy.NoCsa, 0, "b", 0.80), Row(StoryStudy.NoCsa, 1, "a", 0.12), Row(StoryStudy.NoCsa, 1, "b", 0.82),
            Row("csa", 0, "a", 0.20), Row("csa", 0, "b", 0.90), Row("csa", 1, "a", 0.24), Row("csa", 1, "b", 0.90),
        };
        var d = StoryStudyReport.PairedDifference(rows, "csa", r => r.CharacterSimilarity)!.Value;
        Assert.Equal(4, d.N);
        Assert.Equal(0.10, d.Mean, 9);                              // differences 0.10, 0.10, 0.12, 0.08
        Assert.Equal(Math.Sqrt(0.0008 / 3) / 2, d.Se, 9);            // SD of the differences over √4
        Assert.Null(StoryStudyReport.PairedDifference(rows, "missing", r => r.CharacterSimilarity));
    }

    [Fact]
    public void DifflabStudyStoryWritesTheTableTheComicsAndTheReadme()
    {
        string dir = TinyRuns.TempDir("story-study");
        var config = TextToImageTrainingTests.Config("Training.Steps=1", "Training.SampleEvery=1", "Training.CheckpointEvery=1");
        string run = Path.Combine(dir, "run");
        using (var t = new DenoiserTraining(config, run, torch.CPU, TinyRuns.Quiet(config))) t.Train();
        string study = Path.Combine(dir, "study");
        Directory.CreateDirectory(study);
        File.WriteAllText(Path.Combine(study, "story-study.json"),
            """{ "Name": "tiny-story", "Stories": 2, "PanelsPerStory": 3, "Seeds": [0], "Rates": [0.5], "ReferencePanels": 1, "Steps": 2, "Guidance": 3.0 }""");
        string results = Path.Combine(dir, "results");
        Directory.CreateDirectory(results);
        File.WriteAllLines(Path.Combine(results, "bench.jsonl"),
        [
            """{"bench":"story","preset":"p","mode":"batch","panels":4,"device":"cpu","seconds":1.0,"seconds_per_panel":0.25,"bank_bytes":0,"peak_memory_bytes":100000000}""",
            """{"bench":"story","preset":"p","mode":"bank","panels":4,"device":"cpu","seconds":2.0,"seconds_per_panel":0.5,"bank_bytes":1000,"peak_memory_bytes":90000000}""",
        ]);

        var (code, stdout, stderr) = NotebookRuns.Difflab("study", "story", study, "--run", run, "--results", results);

        Assert.True(code == 0, stderr + stdout);
        string readme = File.ReadAllText(Path.Combine(results, "README.md"));
        Assert.Contains("| no CSA | 2 |", readme);
        Assert.Contains("| CSA 0.5 | 2 |", readme);
        Assert.Contains("one person across images", readme);
        Assert.Contains("## Memory and time against story length", readme);
        Assert.Equal(1 + 2 * 2, File.ReadAllLines(Path.Combine(results, "metrics.csv")).Length);
        Assert.Contains("CSA 0.5", File.ReadAllText(Path.Combine(results, "table.html")));
        foreach (var f in new[] { "memory.png", "time.png", "comics/no-csa.png", "comics/csa-0.5.png" }) Assert.True(File.Exists(Path.Combine(results, f)), f);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(results, "stories"), "*.story").Length);

        (code, _, stderr) = NotebookRuns.Difflab("study", "story", study);
        Assert.Equal(2, code);
        Assert.Contains("--run", stderr);
    }
}
