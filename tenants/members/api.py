from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core import fields
from core.permissions import HasTerritoryRole, IsTerritoryMember

from .models import Membership, Role
from .selectors import members_list


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", allow_null=True)
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")

    class Meta:
        model = Membership
        fields = ["id", "email", "first_name", "last_name", "roles", "joined_at"]


class MembersQuerySerializer(serializers.Serializer):
    role = fields.ChoiceField(choices=Role.choices, required=False, help_text="Only these.")


@extend_schema_view(get=extend_schema(parameters=[MembersQuerySerializer]))
class MembersList(generics.ListAPIView):
    """Members of this territory (territory administrators only)."""

    serializer_class = MemberSerializer
    permission_classes = [HasTerritoryRole.of(Role.TERRITORY_ADMIN)]

    def get_queryset(self):
        query = MembersQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return members_list(role=query.validated_data.get("role"))


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField(allow_null=True)
    first_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    joined_at = serializers.DateTimeField()


class Me(APIView):
    """The signed-in person as a member of this territory."""

    permission_classes = [IsTerritoryMember]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        membership = request._request.membership
        user = request.user
        data = {
            "email": user.email,
            "first_name": user.first_name,
            "roles": membership.roles,
            "joined_at": membership.joined_at,
        }
        return Response(MeSerializer(data).data)
