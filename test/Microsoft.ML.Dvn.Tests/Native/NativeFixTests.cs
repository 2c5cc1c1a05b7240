using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Microsoft.ML.Dvn.Tests.TestData;
using static Microsoft.ML.Dvn.Tests.Native.SyntheticElf;

namespace Microsoft.ML.Dvn.Tests.Native;

/// <summary>
/// The native fix of build/Microsoft.ML.Dvn.NativeFix.targets: its task run on crafted libraries (compiled into this
/// test project from build/Microsoft.ML.Dvn.NativeFix.cs), and the real copies in this project's own build output.
/// </summary>
[TestClass]
public sealed class NativeFixTests
{
    private const string ExtraGlibcxx3432Function = "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE10_M_replaceEmmPKcm";

    private string _folder = "";

    [TestInitialize]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "dvn-native-fix-" + Guid.NewGuid().ToString("N")));

    [TestCleanup]
    public void DeleteFolder()
    {
        foreach (var directory in Directory.GetDirectories(_folder, "*", SearchOption.AllDirectories).Prepend(_folder))
            SetImmutable(directory, false);
        Directory.Delete(_folder, recursive: true);
    }

    [TestMethod]
    public void TheMarkerAloneIsMarkedWeakInTheOutputCopyAndNowhereElse()
    {
        var library = LikeTorchSharp0107();
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy));

        Assert.IsTrue(run.Result);
        Assert.AreEqual(0, run.Engine.Warnings.Count, run.Engine.Describe());
        CollectionAssert.AreEqual(WithWeakFlag(library, "GLIBCXX_3.4.32"), File.ReadAllBytes(copy), "only the GLIBCXX_3.4.32 flags should change");
        CollectionAssert.AreEqual(library.Bytes, File.ReadAllBytes(source), "TorchSharp's own file must stay as it is");
        CollectionAssert.AreEqual(new[] { copy }, run.Task.Patched.Select(p => p.ItemSpec).ToArray());
        CollectionAssert.AreEqual(new[] { copy }, Directory.GetFiles(Path.GetDirectoryName(copy)!), "no temporary file may stay behind");
        StringAssert.Contains(run.Engine.Describe(), "marked GLIBCXX_3.4.32 weak");
    }

    [TestMethod]
    public void ALibraryThatAsksGlibcxx3432ForAnotherSymbolTooIsLeftUnpatchedWithAWarning()
    {
        var library = LikeTorchSharp0107(new[] { new Symbol(ExtraGlibcxx3432Function, "GLIBCXX_3.4.32") });
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy));

        Assert.IsTrue(run.Result, "a library the fix does not recognise must not fail the build");
        var warning = run.Engine.Warnings.Single();
        Assert.AreEqual("DVN1001", warning.Code);
        StringAssert.Contains(warning.Message, ExtraGlibcxx3432Function);
        StringAssert.Contains(warning.Message, "TorchSharp 0.107.0");
        CollectionAssert.AreEqual(library.Bytes, File.ReadAllBytes(copy));
        Assert.AreEqual(0, run.Task.Patched.Length);
    }

    [TestMethod]
    public void AsTheTargetsRunItTheFindingsAreHighImportanceMessagesSoWarningsAsErrorsCannotFailABuild()
    {
        var library = LikeTorchSharp0107(new[] { new Symbol(ExtraGlibcxx3432Function, "GLIBCXX_3.4.32") });
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy), warningsAsMessages: true);

        Assert.IsTrue(run.Result);
        Assert.AreEqual(0, run.Engine.Warnings.Count + run.Engine.Errors.Count, run.Engine.Describe());
        var message = run.Engine.Messages.Single(m => m.Message!.Contains("DVN1001"));
        Assert.AreEqual(MessageImportance.High, message.Importance);
        StringAssert.Contains(message.Message, ExtraGlibcxx3432Function);
        StringAssert.Contains(message.Message, "DvnNativeFixWarnings=true");
        // The targets pass the switch: messages unless DvnNativeFixWarnings is true.
        string targets = File.ReadAllText(Repository.File("build", "Microsoft.ML.Dvn.NativeFix.targets"));
        Assert.AreEqual(2, targets.Split("WarningsAsMessages=\"$(_DvnNativeFixWarningsAsMessages)\"").Length - 1);
        StringAssert.Contains(targets, "<_DvnNativeFixWarningsAsMessages Condition=\"'$(DvnNativeFixWarnings)' == 'true'\">false</_DvnNativeFixWarningsAsMessages>");
    }

    [TestMethod]
    public void AReadOnlyOriginalGivesAPatchedCopyItsOwnerCanWrite()
    {
        var library = LikeTorchSharp0107();
        var (source, copy) = Place(library.Bytes);
        // A Nix-style store: the original and the build's copy of it are read-only.
        File.SetUnixFileMode(source, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = Run(Item(source, copy));

        Assert.AreEqual(0, run.Engine.Warnings.Count, run.Engine.Describe());
        CollectionAssert.AreEqual(WithWeakFlag(library, "GLIBCXX_3.4.32"), File.ReadAllBytes(copy));
        var mode = File.GetUnixFileMode(copy);
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode,
            "the source's mode plus the owner's write bit, so the next build can replace it");
    }

    [TestMethod]
    public void ALibraryThatDoesNotAskForGlibcxx3432IsLeftAsItIsQuietly()
    {
        var library = SyntheticElf.Build(new Dictionary<string, string[]> { ["libstdc++.so.6"] = new[] { "GLIBCXX_3.4" } },
            new[] { new Symbol("_ZNSt8ios_base4InitC1Ev", "GLIBCXX_3.4") });
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy));

        Assert.AreEqual(0, run.Engine.Warnings.Count, run.Engine.Describe());
        CollectionAssert.AreEqual(library.Bytes, File.ReadAllBytes(copy));
    }

    [TestMethod]
    [DataRow("linux-x64", "", true, DisplayName = "RID-less build: the copy under runtimes/linux-x64")]
    [DataRow("", "linux-x64", true, DisplayName = "linux-x64 build or publish (any build machine)")]
    [DataRow("", "win-x64", false, DisplayName = "win-x64 build")]
    [DataRow("linux-arm64", "", false, DisplayName = "another Linux runtime")]
    [DataRow("", "", false, DisplayName = "no runtime known")]
    public void EveryCopyForLinuxX64IsPatchedAndNoOther(string itemRuntime, string projectRuntime, bool patched)
    {
        var library = LikeTorchSharp0107();
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy, itemRuntime), projectRuntime);

        Assert.AreEqual(0, run.Engine.Warnings.Count, run.Engine.Describe());
        CollectionAssert.AreEqual(patched ? WithWeakFlag(library, "GLIBCXX_3.4.32") : library.Bytes, File.ReadAllBytes(copy));
    }

    [TestMethod]
    public void AnotherTorchSharpVersionIsPatchedOnTheSymbolCheckAndTheLogSaysSo()
    {
        var library = LikeTorchSharp0107();
        var (source, copy) = Place(library.Bytes);

        var run = Run(Item(source, copy, version: "0.108.0"));

        CollectionAssert.AreEqual(WithWeakFlag(library, "GLIBCXX_3.4.32"), File.ReadAllBytes(copy));
        StringAssert.Contains(run.Engine.Describe(), "TorchSharp 0.108.0 is not a version this fix was run with (0.107.0)");
    }

    [TestMethod]
    [DataRow("cut short", DisplayName = "a library cut short")]
    [DataRow("aarch64", DisplayName = "an aarch64 library")]
    [DataRow("text", DisplayName = "not an ELF file")]
    public void AFileTheFixCannotReadGivesAWarningAndStaysAsItIs(string damage)
    {
        var bytes = LikeTorchSharp0107().Bytes;
        bytes = damage switch
        {
            "cut short" => bytes[..(bytes.Length - 100)],
            "aarch64" => bytes.Select((b, i) => i == 0x12 ? (byte)183 : b).ToArray(),
            _ => "not a shared library"u8.ToArray(),
        };
        var (source, copy) = Place(bytes);

        var run = Run(Item(source, copy));

        Assert.IsTrue(run.Result);
        Assert.AreEqual("DVN1002", run.Engine.Warnings.Single().Code, run.Engine.Describe());
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(copy));
    }

    [TestMethod]
    public void AnOutputFolderThatCannotBeWrittenGivesAWarningAndTheBuildGoesOn()
    {
        var library = LikeTorchSharp0107();
        var (source, copy) = Place(library.Bytes);
        string folder = Path.GetDirectoryName(copy)!;
        MakeUnwritable(folder);

        var run = Run(Item(source, copy));

        Assert.IsTrue(run.Result, "an I/O error must not fail the build");
        var warning = run.Engine.Warnings.Single();
        Assert.AreEqual("DVN1003", warning.Code);
        StringAssert.Contains(warning.Message, copy);
        Assert.AreEqual(0, run.Engine.Errors.Count);
        CollectionAssert.AreEqual(library.Bytes, File.ReadAllBytes(copy));
    }

    [TestMethod]
    public void AnUnreadableOriginalGivesAWarningAndTheBuildGoesOn()
    {
        var (_, copy) = Place(LikeTorchSharp0107().Bytes);
        string missing = Path.Combine(_folder, "gone", "libLibTorchSharp.so");

        var run = Run(Item(missing, copy));

        Assert.IsTrue(run.Result);
        Assert.AreEqual("DVN1003", run.Engine.Warnings.Single().Code, run.Engine.Describe());
    }

    [TestMethod]
    public void ParallelBuildsIntoOneOutputFolderAllSucceedAndLeaveOnePatchedCopy()
    {
        var library = LikeTorchSharp0107(codeBytes: 2 << 20); // about the size of the real library: copies take a while
        var (source, copy) = Place(library.Bytes);
        var expected = WithWeakFlag(library, "GLIBCXX_3.4.32");
        const int Builds = 8;
        var failures = new ConcurrentQueue<string>();

        for (int round = 0; round < 5; round++)
        {
            File.WriteAllBytes(copy, library.Bytes); // as the copy step of every build leaves it
            using var start = new Barrier(Builds);
            var builds = Enumerable.Range(0, Builds).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    var run = Run(Item(source, copy));
                    if (!run.Result || run.Engine.Warnings.Count + run.Engine.Errors.Count > 0)
                        failures.Enqueue(run.Engine.Describe());
                }
                catch (Exception e)
                {
                    failures.Enqueue(e.ToString());
                }
            })).ToList();
            builds.ForEach(b => b.Start());
            builds.ForEach(b => b.Join());

            CollectionAssert.AreEqual(expected, File.ReadAllBytes(copy), $"round {round}");
            CollectionAssert.AreEqual(new[] { copy }, Directory.GetFiles(Path.GetDirectoryName(copy)!), $"round {round}: temporary files left");
        }
        Assert.AreEqual(0, failures.Count, string.Join("\n", failures));
    }

    [TestMethod]
    public void TorchSharpsLibraryAsksGlibcxx3432ForTheMarkerAlone()
    {
        var requirement = GlibcxxRequirement.Read(File.ReadAllBytes(BuildOutputLibrary()));

        Assert.IsNotNull(requirement, "libLibTorchSharp.so no longer asks for GLIBCXX_3.4.32: the native fix may be retired");
        Assert.AreEqual("libstdc++.so.6", requirement.Library);
        CollectionAssert.AreEqual(new[] { "_ZSt21ios_base_library_initv" }, requirement.Symbols.ToArray());
        Assert.IsTrue(requirement.OnlyTheMarker);
    }

    [TestMethod]
    public void TheBuildOutputsLibTorchSharpAsksForGlibcxx3432OnlyWeakly()
    {
        var flags = VersionNeededFlags(File.ReadAllBytes(BuildOutputLibrary()), "GLIBCXX_3.4.32");

        Assert.AreEqual(1, flags.Count, "libLibTorchSharp.so should ask for GLIBCXX_3.4.32 once");
        Assert.AreNotEqual(0, flags[0] & 0x2, "the build output's linux-x64 copy is not patched");
    }

    private static string BuildOutputLibrary() =>
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private (string Source, string Copy) Place(byte[] bytes)
    {
        string source = Path.Combine(_folder, "packages", "torchsharp", "libLibTorchSharp.so");
        string copy = Path.Combine(_folder, "bin", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        foreach (var path in new[] { source, copy })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        return (source, copy);
    }

    private static TaskItem Item(string source, string copy, string runtime = "linux-x64", string version = "0.107.0") =>
        new(source, new Dictionary<string, string>
        {
            ["Destination"] = copy,
            ["RuntimeIdentifier"] = runtime,
            ["NuGetPackageVersion"] = version,
        });

    private static (bool Result, DvnPatchLibTorchSharp Task, RecordingEngine Engine) Run(ITaskItem item, string projectRuntime = "",
        bool warningsAsMessages = false)
    {
        var engine = new RecordingEngine();
        var task = new DvnPatchLibTorchSharp
        {
            BuildEngine = engine, Files = new[] { item }, RuntimeIdentifier = projectRuntime, WarningsAsMessages = warningsAsMessages,
        };
        return (task.Execute(), task, engine);
    }

    private static byte[] WithWeakFlag(Library library, string version)
    {
        var bytes = (byte[])library.Bytes.Clone();
        bytes[library.FlagsOffsets[version]] |= 0x2;
        return bytes;
    }

    // Root ignores file modes, so as root the folder is made immutable (chattr +i) instead of read-only.
    private static void MakeUnwritable(string folder)
    {
        if (IsRoot)
            SetImmutable(folder, true);
        else if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(Path.Combine(folder, "probe"), "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        Assert.Inconclusive($"{folder} could not be made unwritable here (no chattr support as root?)");
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static void SetImmutable(string folder, bool immutable)
    {
        if (!IsRoot)
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }
        try
        {
            using var chattr = Process.Start(new ProcessStartInfo("chattr", $"{(immutable ? "+" : "-")}i \"{folder}\"")
            { RedirectStandardError = true })!;
            chattr.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No chattr: MakeUnwritable's probe reports the test as inconclusive.
        }
    }

    // An independent reading of the ELF64 .gnu.version_r section: the vna_flags of every entry named `version`.
    private static List<ushort> VersionNeededFlags(byte[] elf, string version)
    {
        long sectionTable = BitConverter.ToInt64(elf, 0x28);
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), count = BitConverter.ToUInt16(elf, 0x3C);
        var flags = new List<ushort>();
        for (int s = 0; s < count; s++)
        {
            int header = (int)(sectionTable + s * entrySize);
            if (BitConverter.ToUInt32(elf, header + 4) != 0x6ffffffe)
                continue;
            long offset = BitConverter.ToInt64(elf, header + 0x18);
            int strings = (int)BitConverter.ToInt64(elf, (int)(sectionTable + BitConverter.ToUInt32(elf, header + 0x28) * entrySize) + 0x18);
            for (long need = offset, n = 0; n < BitConverter.ToUInt32(elf, header + 0x2C); n++)
            {
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < BitConverter.ToUInt16(elf, (int)need + 2); a++, aux += BitConverter.ToUInt32(elf, (int)aux + 12))
                {
                    int name = strings + (int)BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (System.Text.Encoding.ASCII.GetString(elf, name, Array.IndexOf(elf, (byte)0, name) - name) == version)
                        flags.Add(BitConverter.ToUInt16(elf, (int)aux + 4));
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return flags;
    }

    private sealed class RecordingEngine : IBuildEngine
    {
        public ConcurrentQueue<BuildWarningEventArgs> Warnings { get; } = new();
        public ConcurrentQueue<BuildErrorEventArgs> Errors { get; } = new();
        public ConcurrentQueue<BuildMessageEventArgs> Messages { get; } = new();

        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "test.proj";

        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Enqueue(e);
        public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Enqueue(e);
        public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Enqueue(e);
        public void LogCustomEvent(CustomBuildEventArgs e) { }

        public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties,
            System.Collections.IDictionary targetOutputs) => throw new NotSupportedException();

        public string Describe() => string.Join("\n",
            Errors.Select(e => $"error {e.Code}: {e.Message}").Concat(Warnings.Select(w => $"warning {w.Code}: {w.Message}"))
                .Concat(Messages.Select(m => m.Message)));
    }
}
