using System.Net;
using System.Text.RegularExpressions;
using DiffusionLab.Data.World;
using DiffusionLab.Interactive;
using DiffusionLab.StoryDiffusion;

namespace DiffusionLab.Tests.Interactive;

public class ComicDisplayTests
{
    [Fact]
    public void Html_shows_every_page_and_every_panel_with_its_prompt_and_caption()
    {
        var story = StoryParser.Parse("[Lily] a girl <in> a red shirt\n\n[Lily] smiling #Lily & the \"shell\"\n[NC] a room #Night\n[Lily] sad\n[Lily] angry #Four\n[Lily] smiling #Five", "two<pages>.story");
        using var world = new CharacterWorld();
        var images = Enumerable.Range(0, 5).Select(i => world.Render(0, i).ToTensor()).ToList();
        string html = ComicDisplay.Html(story, images, new StoryComicOptions { Layout = ComicLayoutKind.FourPanel });
        var pngs = Regex.Matches(html, "data:image/png;base64,([A-Za-z0-9+/=]+)");
        Assert.Equal(2, pngs.Count);
        foreach (Match m in pngs)
        {
            using var page = DiffusionLab.Imaging.TensorImages.FromPng(Convert.FromBase64String(m.Groups[1].Value), 3);
            Assert.Equal(3, page.shape[0]);
        }
        foreach (var p in story.Panels)
        {
            Assert.Contains($"<td>{WebUtility.HtmlEncode(p.Prompt)}</td>", html);
            if (p.Caption is not null) Assert.Contains($"<td>{WebUtility.HtmlEncode(p.Caption)}</td>", html);
        }
        Assert.Contains("Lily &amp; the &quot;shell&quot;", html);
        Assert.Contains("a girl &lt;in&gt; a red shirt", html);
        Assert.Contains("<td>[NC]</td>", html);
        Assert.Contains("two&lt;pages&gt;.story: 5 panels, 2 pages", html);
        Assert.DoesNotContain("<pages>", html);
        foreach (var t in images) t.Dispose();
    }
}
