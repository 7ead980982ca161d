"""Forum API: thin views over forum.services and forum.selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from forum import selectors, services
from forum.api import serializers as s
from forum.models import Thread
from kei_community.core.api.pagination import PageNumberPagination
from kei_community.core.ids import parse_id
from kei_community.core.stopwords import too_common
from kei_community.media.api.serializers import PhotoSerializer


def _thread(pk: int, user: Any) -> Thread:
    thread = selectors.thread_get(pk, user=user)
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _post(pk: int, user: Any):  # type: ignore[no-untyped-def]
    post = selectors.post_get(pk)
    if post is None or (
        not post.is_visible
        and not services.is_moderator(user)
        and not (post.is_held and post.author_id == getattr(user, "pk", None))
    ):
        raise Http404("No such post.")
    return post


class CategoryListView(generics.ListAPIView):
    """Forum categories in order, with their counters."""

    serializer_class = s.CategorySerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.category_list()


class ThreadListCreateView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str, description="Category slug"),
            OpenApiParameter("tag", str, description="Tag slug"),
            OpenApiParameter("state", str, description="Two-letter US state code"),
            OpenApiParameter("truck", int, description="Garage truck id (build threads)"),
            OpenApiParameter("q", str, description="Full-text search over titles and posts (as /forum/search/)"),
            OpenApiParameter("ordering", str, enum=["activity", "newest", "replies"]),
        ],
        responses={200: s.ThreadSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        category = None
        if params.get("category"):
            category = selectors.category_get(params["category"])
            if category is None:
                raise ValidationError({"category": ["No such category."]})
        truck = parse_id(params.get("truck")) if params.get("truck") else None
        if params.get("truck") and truck is None:
            raise ValidationError({"truck": ["Use a truck id."]})
        if message := too_common(params.get("q", "")):
            raise ValidationError({"q": [message]})
        ordering = params.get("ordering", "activity")
        if ordering not in ("activity", "newest", "replies"):
            raise ValidationError({"ordering": ["Use activity, newest or replies."]})
        qs = selectors.thread_list(
            user=request.user, category=category, tag=params.get("tag", ""), state=params.get("state", ""),
            truck=truck, q=params.get("q", ""), ordering=ordering,
        )  # fmt: skip
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(s.ThreadSerializer(page, many=True).data)

    @extend_schema(request=s.ThreadCreateSerializer, responses={201: s.ThreadSerializer})
    def post(self, request: Request) -> Response:
        data = s.ThreadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        truck = None
        if v.get("truck"):
            from kei_community.vehicles.models import GarageTruck

            truck = GarageTruck.objects.filter(pk=v["truck"]).first()
            if truck is None:
                raise ValidationError({"truck": ["No such truck."]})
        thread = services.thread_create(
            author=request.user, category=v["category"], title=v["title"], body=v["body"],
            tags=v.get("tags", []), truck=truck,
        )  # fmt: skip
        return Response(
            s.ThreadSerializer(selectors.thread_get(thread.pk, user=request.user)).data, status=status.HTTP_201_CREATED
        )


class ThreadDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: s.ThreadSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ThreadSerializer(_thread(pk, request.user)).data)

    @extend_schema(request=s.ThreadUpdateSerializer, responses={200: s.ThreadSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.ThreadUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.thread_update(
            actor=request.user,
            thread=thread,
            title=data.validated_data.get("title"),
            tags=data.validated_data.get("tags"),
        )
        return Response(s.ThreadSerializer(_thread(pk, request.user)).data)


class ThreadPostsView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination

    @extend_schema(responses={200: s.PostSerializer(many=True)})
    def get(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            selectors.posts_for_api(thread=thread, user=request.user), request, view=self
        )
        return paginator.get_paginated_response(
            s.PostSerializer(page, many=True, context=s.serializer_context(request)).data
        )

    @extend_schema(request=s.PostCreateSerializer, responses={201: s.PostSerializer})
    def post(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_create(author=request.user, thread=thread, body=data.validated_data["body"])
        return Response(
            s.PostSerializer(post, context=s.serializer_context(request)).data, status=status.HTTP_201_CREATED
        )


class PostDetailView(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: s.PostSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.PostSerializer(_post(pk, request.user), context=s.serializer_context(request)).data)

    @extend_schema(request=s.PostUpdateSerializer, responses={200: s.PostSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        post = _post(pk, request.user)
        data = s.PostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_edit(
            actor=request.user,
            post=post,
            body=data.validated_data["body"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.PostSerializer(post, context=s.serializer_context(request)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.post_delete(actor=request.user, post=_post(pk, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostReactionView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.ReactionSerializer, responses={200: s.ReactionResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        post = _post(pk, request.user)
        data = s.ReactionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = services.reaction_toggle(user=request.user, post=post, kind=data.validated_data["kind"])
        return Response({"on": on, "reaction_counts": post.reaction_counts})


class ThreadWatchView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.WatchSerializer, responses={200: s.WatchSerializer})
    def post(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.WatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.thread_set_level(user=request.user, thread=thread, level=data.validated_data["level"])
        return Response({"level": state.level})


class ThreadPinView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.PinSerializer, responses={200: s.ThreadSerializer})
    def post(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.PinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.thread_pin(actor=request.user, thread=thread, pinned=data.validated_data["pinned"])
        return Response(s.ThreadSerializer(_thread(pk, request.user)).data)


class ThreadLockView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.LockSerializer, responses={200: s.ThreadSerializer})
    def post(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.LockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.thread_lock(actor=request.user, thread=thread, locked=data.validated_data["locked"])
        return Response(s.ThreadSerializer(_thread(pk, request.user)).data)


class ThreadMoveView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=s.MoveSerializer, responses={200: s.ThreadSerializer})
    def post(self, request: Request, pk: int) -> Response:
        thread = _thread(pk, request.user)
        data = s.MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.thread_move(
            actor=request.user, thread=thread, category=data.validated_data["category"],
            note=data.validated_data.get("note", ""),
        )  # fmt: skip
        return Response(s.ThreadSerializer(_thread(pk, request.user)).data)


class PostPhotoView(APIView):
    """Attach a photo (multipart field `photo`) to your post; it is processed in the background."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"photo": {"type": "string", "format": "binary"}}}
        },
        responses={201: PhotoSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        post = _post(pk, request.user)
        upload = request.FILES.get("photo")
        if upload is None:
            raise ValidationError({"photo": ["Attach an image file in the `photo` field."]})
        photo = services.post_add_photo(actor=request.user, post=post, upload=upload)
        return Response(PhotoSerializer(photo).data, status=status.HTTP_201_CREATED)
