package dev.prism.bus;

import io.vertx.core.Vertx;

import java.util.List;

/** Registers the pass-by-reference codec of every message record on a Vert.x instance; idempotent. */
public final class Codecs {

    private static final List<Class<?>> MESSAGES = List.of(
            CaptureRequest.class, CaptureResult.class, OtlpExport.class, OtlpExport.Accepted.class, EventsStored.class, IngestLoad.class,
            IngestTokenLookup.class, ApiAccess.class,
            KeyCommand.Create.class, KeyCommand.List.class, KeyCommand.Revoke.class, KeyCommand.Key.class, KeyCommand.Keys.class,
            ProjectsQuery.class, ProjectsQuery.Projects.class,
            TraceListQuery.class, TracePage.class, TraceQuery.class, TraceDetail.class, TraceSummary.class, TraceCompleted.class,
            TraceTextQuery.class, TraceText.class, TraceFormatted.class, TraceScored.class,
            SentenceVectors.class, SentenceVectors.Vectors.class, RelevanceQuery.class, RelevanceQuery.Verdicts.class,
            RelevanceBackfill.class, RelevanceBackfill.Scored.class,
            AnalysisTheme.class, ThemeCommand.List.class, ThemeCommand.Get.class, ThemeCommand.Create.class, ThemeCommand.Replace.class,
            ThemeCommand.Patch.class, ThemeCommand.Delete.class, ThemeCommand.Themes.class, ThemeCommand.Changed.class,
            ThemeCommand.SuggestProperties.class, ThemeCommand.Properties.class, ThemeCommand.PreviewDraft.class, ThemeCommand.RenderPrompt.class,
            ThemeCommand.RenderedPrompt.class, ThemeCommand.ReadBaseFilters.class, ThemeCommand.SetBaseFilters.class, ThemeCommand.BaseFilters.class,
            ThemeCommand.Preview.class, ThemeCommand.SelectForRun.class, ThemeCommand.Selection.class,
            ScheduledThemes.Query.class, ScheduledThemes.Result.class, Run.class, RunCommand.Start.class, RunCommand.List.class,
            RunCommand.Get.class, RunCommand.Latest.class, RunCommand.Test.class, RunCommand.Runs.class, RunCommand.Tested.class, Analyzed.class,
            RunTasks.Enqueue.class, RunTasks.StatsQuery.class, RunTasks.Stats.class, RunTasks.AnalyzeNow.class,
            LlmSettings.Get.class, LlmCompletion.class, LlmCompletion.Reply.class, LlmSettings.Update.class, LlmSettings.Status.class, AnalysisRequest.class, SummaryCreated.class, SummaryQuery.class, SummaryQuery.Summaries.class,
            SummaryScan.class, SummaryScan.Page.class, ThemeShare.class, ThemeShare.Counts.class, AnalysisBacklog.class, AnalysisBacklog.Counts.class,
            DeadLetters.List.class, DeadLetters.Requeue.class, DeadLetters.Listed.class, DeadLetters.Requeued.class,
            EmbeddingCreated.class, EmbeddingRemoved.class, EmbedSearch.class, EmbedSearch.Hits.class, EmbedSnapshot.class, EmbedSnapshot.Vectors.class,
            LiveEvent.class, TraceFacts.class, TraceFacts.Facts.class,
            ClusterCommand.List.class, ClusterCommand.Get.class, ClusterCommand.Refresh.class, ClusterCommand.Clusters.class,
            ClusterCommand.MapQuery.class, ClusterCommand.MapPoints.class, ClusterCommand.MembersSince.class, ClusterCommand.MemberCounts.class,
            ClusterCommand.Detail.class, ClusterCommand.RunResult.class, ClusterCommand.OfTrace.class, ClusterCommand.TraceClusters.class,
            AlertCommand.List.class, AlertCommand.Get.class, AlertCommand.Create.class, AlertCommand.Replace.class, AlertCommand.Patch.class,
            AlertCommand.Delete.class, AlertCommand.ListDeliveries.class, AlertCommand.Test.class, AlertCommand.Rule.class,
            AlertCommand.Rules.class, AlertCommand.Deliveries.class, AlertCommand.Tested.class, AlertCommand.ClusterTickets.class, AlertCommand.Tickets.class,
            ThemeExport.class, ThemeExport.File.class, ShareCommand.Create.class, ShareCommand.List.class, ShareCommand.Revoke.class,
            ShareCommand.Resolve.class, ShareCommand.Share.class, ShareCommand.Shares.class,
            Instances.class, Instances.Members.class, Failure.FailureException.class);

    private Codecs() {
    }

    public static void register(Vertx vertx) {
        for (Class<?> type : MESSAGES) {
            register(vertx, type);
        }
    }

    private static <T> void register(Vertx vertx, Class<T> type) {
        try {
            vertx.eventBus().registerDefaultCodec(type, new LocalRecordCodec<>(type));
        } catch (IllegalStateException alreadyRegistered) {
            // a server restarted on the same Vert.x instance: the codecs from its first start still apply
        }
    }
}
